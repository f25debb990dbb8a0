package com.example.greeter.api;

/** {@code GET /}: the configured greeting and the time now at the configured offset. */
public record Greeting(String message, String time, String timezoneOffset) {}
