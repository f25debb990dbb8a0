package com.example.greeter.client;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** Where timezones is and how long greeter waits for it. */
public class TimezonesClientConfiguration {

  @NotBlank(message = "TIMEZONES_URL must be set, e.g. http://timezones:8080")
  @JsonProperty
  private String url;

  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 30, unit = TimeUnit.SECONDS)
  @JsonProperty
  private Duration connectTimeout = Duration.milliseconds(500);

  /** The whole call, connection included: the bound on greeter's 503 when timezones hangs. */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 60, unit = TimeUnit.SECONDS)
  @JsonProperty
  private Duration requestTimeout = Duration.seconds(2);

  @JsonIgnore
  public URI getUrl() {
    return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
  }

  @JsonIgnore
  @AssertTrue(message = "TIMEZONES_URL must be an http:// or https:// URL with a host")
  public boolean isUrlWellFormed() {
    if (url == null || url.isBlank()) {
      return true;
    }
    try {
      URI uri = URI.create(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null
          && uri.getQuery() == null;
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public Duration getRequestTimeout() {
    return requestTimeout;
  }
}
