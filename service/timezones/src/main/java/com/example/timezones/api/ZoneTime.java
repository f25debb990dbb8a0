package com.example.timezones.api;

/** The current time in one zone: {@code time} is ISO-8601 with the zone's offset. */
public record ZoneTime(String zone, String time, String offset) {}
