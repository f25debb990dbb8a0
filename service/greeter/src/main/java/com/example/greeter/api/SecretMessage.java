package com.example.greeter.api;

/** {@code GET /secret}: the secret message, for callers with the API key. */
public record SecretMessage(String message) {}
