package com.example.greeter;

import com.example.common.ServiceApplication;
import com.example.greeter.client.TimezonesClient;
import com.example.greeter.core.ApiKeyVerifier;
import com.example.greeter.health.TimezonesHealthCheck;
import com.example.greeter.resources.GreetingResource;
import com.example.greeter.resources.SecretResource;
import com.example.greeter.resources.TimeResource;
import com.example.greeter.resources.TimezonesUnavailableMapper;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** greeter: the main API. */
public class GreeterApplication extends ServiceApplication<GreeterConfiguration> {

  public GreeterApplication() {
    super("greeter");
  }

  public static void main(String[] args) throws Exception {
    new GreeterApplication().runWithDefaults(args);
  }

  @Override
  protected Map<String, String> settingVariables() {
    Map<String, String> variables = new HashMap<>(super.settingVariables());
    variables.put("timezones.connectTimeout", "TIMEZONES_CONNECT_TIMEOUT");
    variables.put("timezones.requestTimeout", "TIMEZONES_REQUEST_TIMEOUT");
    return variables;
  }

  @Override
  protected void runService(
      GreeterConfiguration configuration, Environment environment, PrometheusRegistry metrics) {
    Counter authFailures =
        Counter.builder()
            .name("greeter_secret_auth_failures_total")
            .help("Requests to /secret rejected for a missing or wrong X-API-Key.")
            .labelNames("reason")
            .register(metrics);
    TimezonesClient timezones =
        new TimezonesClient(configuration.getTimezones(), environment.getObjectMapper());

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
