package com.example.greeter;

import com.example.common.ServiceConfiguration;
import com.example.greeter.client.TimezonesClientConfiguration;
import com.example.greeter.core.TimezoneOffsets;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.ZoneOffset;

/**
 * greeter's settings. Each comes from an environment variable (see {@code greeter.yml}); the
 * validation messages name that variable, since it is what an operator has to fix.
 */
public class GreeterConfiguration extends ServiceConfiguration {

  @NotBlank(message = "GREETING must be set to a non-empty value")
  @JsonProperty
  private String greeting;

  @NotBlank(message = "TIMEZONE_OFFSET must be set to an offset such as +05:30, -03:00, +5 or Z")
  @JsonProperty
  private String timezoneOffset;

  @NotBlank(message = "DUMMY_API_KEY must be set to a non-empty value")
  @JsonProperty
  private String dummyApiKey;

  @NotBlank(message = "SECRET_MESSAGE must be set to a non-empty value")
  @JsonProperty
  private String secretMessage;

  @Valid @NotNull @JsonProperty
  private TimezonesClientConfiguration timezones = new TimezonesClientConfiguration();

  public String getGreeting() {
    return greeting;
  }

  @JsonIgnore
  public ZoneOffset getTimezoneOffset() {
    return TimezoneOffsets.parse(timezoneOffset).orElseThrow();
  }

  @JsonIgnore
  @AssertTrue(message = "TIMEZONE_OFFSET must be an offset such as +05:30, -03:00, +5 or Z")
  public boolean isTimezoneOffsetWellFormed() {
    return timezoneOffset == null
        || timezoneOffset.isBlank()
        || TimezoneOffsets.parse(timezoneOffset).isPresent();
  }

  public String getDummyApiKey() {
    return dummyApiKey;
  }

  public String getSecretMessage() {
    return secretMessage;
  }

  public TimezonesClientConfiguration getTimezones() {
    return timezones;
  }
}
