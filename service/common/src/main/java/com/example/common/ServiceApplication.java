package com.example.common;

import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Map;

/**
 * The start-up both services share: configuration from the environment, one-line start-up errors,
 * request ids, JSON errors, request metrics, {@code /prometheus} and {@code /ready} on the admin
 * port, and the readiness gate for graceful shutdown. A service adds its resources in {@link
 * #runService}.
 */
public abstract class ServiceApplication<C extends ServiceConfiguration> extends Application<C> {

  private final String name;
  private final String defaultConfig;

  protected ServiceApplication(String name) {
    this.name = name;
    this.defaultConfig = name + ".yml";
  }

  @Override
  public final String getName() {
    return name;
  }

  /**
   * Runs {@code server <name>.yml} (the embedded config) when started without arguments, and gives
   * a bare {@code server} or {@code check} the embedded config too.
   */
  public final void runWithDefaults(String... arguments) throws Exception {
    if (arguments.length == 0) {
      run("server", defaultConfig);
    } else if (arguments.length == 1 && !arguments[0].startsWith("-")) {
      run(arguments[0], defaultConfig);
    } else {
      run(arguments);
    }
  }

  @Override
  public void initialize(Bootstrap<C> bootstrap) {
    // JVM gauges in the registry however the app is started (the test harness skips them).
    bootstrap.registerMetrics();
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            new FileOrClasspathSourceProvider(), new JsonQuotingEnvironmentSubstitutor()));
  }

  @Override
  protected void addDefaultCommands(Bootstrap<C> bootstrap) {
    bootstrap.addCommand(new OneLineErrorServerCommand<>(this, settingVariables()));
    bootstrap.addCommand(new OneLineErrorCheckCommand<>(this, settingVariables()));
  }

  /**
   * Configuration paths and the environment variables that set them, for start-up errors whose
   * message does not name the variable. A service adds its own to these.
   */
  protected Map<String, String> settingVariables() {
    return Map.of(
        "server.applicationConnectors[0].port", "HTTP_PORT",
        "server.adminConnectors[0].port", "ADMIN_PORT",
        "server.shutdownGracePeriod", "SHUTDOWN_GRACE_PERIOD",
        "shutdownWaitPeriod", "SHUTDOWN_WAIT_PERIOD");
  }

  @Override
  public final void run(C configuration, Environment environment) throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    DropwizardExports.builder().dropwizardRegistry(environment.metrics()).register(registry);
    environment.jersey().register(new HttpRequestMetrics(registry));
    environment.jersey().register(new ValidationErrorMapper());
    environment
        .servlets()
        .addFilter("request-id", new RequestIdFilter())
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    environment
        .admin()
        .addFilter("request-id", new RequestIdFilter())
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    JsonErrorHandler.install(environment);

    ReadinessGate readiness = new ReadinessGate(configuration.getShutdownWaitPeriod());
    readiness.register(environment.lifecycle());
    environment.admin().addServlet("ready", new ReadinessServlet(readiness)).addMapping("/ready");
    environment
        .admin()
        .addServlet("prometheus", new PrometheusMetricsServlet(registry))
        .addMapping("/prometheus");

    runService(configuration, environment, registry);
  }

  /** Registers the service's own resources, health checks and metrics. */
  protected abstract void runService(
      C configuration, Environment environment, PrometheusRegistry metrics) throws Exception;
}
