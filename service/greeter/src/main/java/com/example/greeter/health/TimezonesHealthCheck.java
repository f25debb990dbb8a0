package com.example.greeter.health;

import com.codahale.metrics.health.HealthCheck;
import com.example.greeter.client.TimezonesClient;
import java.util.Map;

/**
 * Reports on {@code /healthcheck} whether timezones answers. Deliberately not part of readiness: a
 * timezones outage should turn {@code /time} into 503s, not take greeter out of service.
 */
public class TimezonesHealthCheck extends HealthCheck {

  private final TimezonesClient timezones;

  public TimezonesHealthCheck(TimezonesClient timezones) {
    this.timezones = timezones;
  }

  @Override
  protected Result check() {
    return timezones.timeIn("UTC", Map.of()).isPresent()
        ? Result.healthy()
        : Result.unhealthy("timezones does not know UTC");
  }
}
