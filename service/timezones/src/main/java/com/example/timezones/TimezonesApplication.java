package com.example.timezones;

import com.example.common.ServiceApplication;
import com.example.timezones.core.ZoneCatalog;
import com.example.timezones.health.ZoneRulesHealthCheck;
import com.example.timezones.resources.TimezonesResource;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;

/** The timezones service: lists time zones and tells the current time in one. */
public class TimezonesApplication extends ServiceApplication<TimezonesConfiguration> {

  public TimezonesApplication() {
    super("timezones");
  }

  public static void main(String[] args) throws Exception {
    new TimezonesApplication().runWithDefaults(args);
  }

  @Override
  protected void runService(
      TimezonesConfiguration configuration, Environment environment, PrometheusRegistry metrics) {
    ZoneCatalog catalog = new ZoneCatalog(Clock.systemUTC());
    environment.jersey().register(new TimezonesResource(catalog));
    environment.healthChecks().register("zone-rules", new ZoneRulesHealthCheck(catalog));
  }
}
