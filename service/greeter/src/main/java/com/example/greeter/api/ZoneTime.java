package com.example.greeter.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The time in a zone, as timezones returns it and greeter passes it on. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ZoneTime(String zone, String time, String offset) {}
