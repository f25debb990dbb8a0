package com.example.timezones;

import com.example.common.ServiceBundle;
import com.example.timezones.core.ZoneCatalog;
import com.example.timezones.health.ZoneRulesHealthCheck;
import com.example.timezones.resources.TimezonesResource;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import java.time.Clock;

/** The timezones service: lists time zones and tells the current time in one. */
public class TimezonesApplication extends Application<TimezonesConfiguration> {

  public static void main(String[] args) throws Exception {
    new TimezonesApplication().run(ServiceBundle.withDefaultConfiguration("timezones.yml", args));
  }

  @Override
  public String getName() {
    return "timezones";
  }

  /** None: {@link ServiceBundle} adds {@code server} and {@code check}, with one-line errors. */
  @Override
  protected void addDefaultCommands(Bootstrap<TimezonesConfiguration> bootstrap) {}

  @Override
  public void initialize(Bootstrap<TimezonesConfiguration> bootstrap) {
    bootstrap.addBundle(new ServiceBundle<>());
  }

  @Override
  public void run(TimezonesConfiguration configuration, Environment environment) {
    ZoneCatalog catalog = new ZoneCatalog(Clock.systemUTC());
    environment.jersey().register(new TimezonesResource(catalog));
    environment.healthChecks().register("zone-rules", new ZoneRulesHealthCheck(catalog));
  }
}
