package com.example.greeter.client;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.client.HttpClientConfiguration;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Where timezones is, and Dropwizard's HTTP client settings for calling it ({@code timeout}, {@code
 * connectionTimeout}, pool, keep-alive, retries). Both timeouts are bounded: zero would mean "wait
 * forever" to the HTTP client.
 */
public class TimezonesClientConfiguration extends HttpClientConfiguration {

  /** http(s), a host, an optional port and path; no query or fragment. */
  @NotBlank(message = "must be set, e.g. http://timezones:8080")
  @Pattern(
      regexp = "https?://[A-Za-z0-9._~%\\[\\]:-]+(/[A-Za-z0-9._~%/-]*)?",
      message = "must be an http:// or https:// URL with a host, e.g. http://timezones:8080")
  @JsonProperty
  private String url;

  @JsonIgnore
  public URI getUrl() {
    return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
  }

  /** The longest wait for timezones' answer (socket read timeout). */
  @Override
  @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 60, unit = TimeUnit.SECONDS)
  public Duration getTimeout() {
    return super.getTimeout();
  }

  @Override
  @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 30, unit = TimeUnit.SECONDS)
  public Duration getConnectionTimeout() {
    return super.getConnectionTimeout();
  }
}
