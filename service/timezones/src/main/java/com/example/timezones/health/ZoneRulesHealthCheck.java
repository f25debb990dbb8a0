package com.example.timezones.health;

import com.codahale.metrics.health.HealthCheck;
import com.example.timezones.core.ZoneCatalog;

/**
 * Reports on {@code /healthcheck} whether the JVM's time-zone database answers: timezones has no
 * other dependency, and without the rules it can only return 404s.
 */
public class ZoneRulesHealthCheck extends HealthCheck {

  private final ZoneCatalog catalog;

  public ZoneRulesHealthCheck(ZoneCatalog catalog) {
    this.catalog = catalog;
  }

  @Override
  protected Result check() {
    return catalog.timeIn("Europe/London").isPresent()
        ? Result.healthy()
        : Result.unhealthy("the time-zone database does not know Europe/London");
  }
}
