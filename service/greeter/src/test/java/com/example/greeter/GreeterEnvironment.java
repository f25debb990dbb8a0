package com.example.greeter;

import io.dropwizard.testing.ConfigOverride;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A complete, valid greeter configuration for tests to start from: as a process environment, or as
 * overrides of the embedded {@code greeter.yml} for an in-process app.
 */
public final class GreeterEnvironment {

  public static final String GREETING = "Hello from the test";
  public static final String OFFSET = "+05:30";
  public static final String API_KEY = "it-key-5f2b9c1e";
  public static final String SECRET = "it-secret-7d41a0b3";

  private GreeterEnvironment() {}

  public static Map<String, String> valid(String timezonesUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("GREETING", GREETING);
    env.put("TIMEZONE_OFFSET", OFFSET);
    env.put("DUMMY_API_KEY", API_KEY);
    env.put("SECRET_MESSAGE", SECRET);
    env.put("TIMEZONES_URL", timezonesUrl);
    env.put("APP_VERSION", "1.2.3-test");
    return env;
  }

  /** The same settings as overrides on random ports, with {@code apiKey} and any {@code more}. */
  public static ConfigOverride[] overrides(
      String apiKey, String timezonesUrl, ConfigOverride... more) {
    List<ConfigOverride> overrides = new ArrayList<>();
    overrides.add(ConfigOverride.randomPorts());
    overrides.add(ConfigOverride.config("greeting", GREETING));
    overrides.add(ConfigOverride.config("timezoneOffset", OFFSET));
    overrides.add(ConfigOverride.config("dummyApiKey", apiKey));
    overrides.add(ConfigOverride.config("secretMessage", SECRET));
    overrides.add(ConfigOverride.config("timezones.url", timezonesUrl));
    overrides.addAll(List.of(more));
    return overrides.toArray(ConfigOverride[]::new);
  }
}
