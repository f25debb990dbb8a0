package com.example.greeter;

import com.example.common.configuration.ServiceConfiguration;
import com.example.greeter.client.TimezonesClientConfiguration;
import com.example.greeter.core.Offset;
import com.example.greeter.core.TimezoneOffsets;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.ZoneOffset;

/**
 * greeter's settings, each read from an environment variable in {@code greeter.yml}. Validation
 * messages say what a value must be; the start-up error puts the variable's name in front.
 */
public class GreeterConfiguration extends ServiceConfiguration {

  @NotBlank(message = "must be set to a non-empty value")
  @JsonProperty
  private String greeting;

  @NotBlank(message = "must be set to an offset such as +05:30, -03:00, +5 or Z")
  @Offset
  @JsonProperty
  private String timezoneOffset;

  @NotBlank(message = "must be set to a non-empty value")
  @JsonProperty
  private String dummyApiKey;

  @NotBlank(message = "must be set to a non-empty value")
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
