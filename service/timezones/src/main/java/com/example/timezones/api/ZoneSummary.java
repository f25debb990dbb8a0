package com.example.timezones.api;

/** A zone and its current UTC offset, as listed by {@code GET /timezones}. */
public record ZoneSummary(String zone, String offset) {}
