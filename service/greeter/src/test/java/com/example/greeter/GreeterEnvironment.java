package com.example.greeter;

import java.util.HashMap;
import java.util.Map;

/** A complete, valid environment for a greeter process, for tests to start from. */
public final class GreeterEnvironment {

  public static final String API_KEY = "it-key-5f2b9c1e";
  public static final String SECRET = "it-secret-7d41a0b3";

  private GreeterEnvironment() {}

  public static Map<String, String> valid(String timezonesUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("GREETING", "Hello from the test");
    env.put("TIMEZONE_OFFSET", "+05:30");
    env.put("DUMMY_API_KEY", API_KEY);
    env.put("SECRET_MESSAGE", SECRET);
    env.put("TIMEZONES_URL", timezonesUrl);
    env.put("APP_VERSION", "1.2.3-test");
    return env;
  }
}
