package com.example.greeter;

import com.example.common.ServiceBundle;
import com.example.greeter.client.TimezonesClient;
import com.example.greeter.core.ApiKeyVerifier;
import com.example.greeter.health.TimezonesHealthCheck;
import com.example.greeter.resources.GreetingResource;
import com.example.greeter.resources.SecretResource;
import com.example.greeter.resources.TimeResource;
import com.example.greeter.resources.TimezonesUnavailableMapper;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.core.metrics.Counter;
import java.time.Clock;

/** greeter: the main API. */
public class GreeterApplication extends Application<GreeterConfiguration> {

  private final ServiceBundle<GreeterConfiguration> service = new ServiceBundle<>();

  public static void main(String[] args) throws Exception {
    new GreeterApplication().run(ServiceBundle.withDefaultConfiguration("greeter.yml", args));
  }

  @Override
  public String getName() {
    return "greeter";
  }

  /** None: {@link ServiceBundle} adds {@code server} and {@code check}, with one-line errors. */
  @Override
  protected void addDefaultCommands(Bootstrap<GreeterConfiguration> bootstrap) {}

  @Override
  public void initialize(Bootstrap<GreeterConfiguration> bootstrap) {
    bootstrap.addBundle(service);
  }

  @Override
  public void run(GreeterConfiguration configuration, Environment environment) {
    Counter authFailures =
        Counter.builder()
            .name("greeter_secret_auth_failures_total")
            .help("Requests to /secret rejected for a missing or wrong X-API-Key.")
            .labelNames("reason")
            .register(service.metrics());
    TimezonesClient timezones = TimezonesClient.build(configuration.getTimezones(), environment);

    environment
        .jersey()
        .register(
            new GreetingResource(
                configuration.getGreeting(), configuration.getTimezoneOffset(), Clock.systemUTC()));
    environment
        .jersey()
        .register(
            new SecretResource(
                new ApiKeyVerifier(configuration.getDummyApiKey()),
                configuration.getSecretMessage(),
                authFailures));
    environment.jersey().register(new TimeResource(timezones));
    environment.jersey().register(new TimezonesUnavailableMapper());
    environment.healthChecks().register("timezones", new TimezonesHealthCheck(timezones));
  }
}
