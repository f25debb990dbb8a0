package com.example.common;

import com.example.common.configuration.LayeredConfigurationSource;
import com.example.common.configuration.ServiceConfiguration;
import com.example.common.errors.JsonErrorHandler;
import com.example.common.errors.OneLineErrorCommand;
import com.example.common.errors.ValidationErrorMapper;
import com.example.common.lifecycle.ReadinessGate;
import com.example.common.lifecycle.ReadinessServlet;
import com.example.common.logging.AccessLogDrops;
import com.example.common.logging.LogstashLayoutFactory;
import com.example.common.logging.RequestIdFilter;
import com.example.common.metrics.ExportedDropwizardMetrics;
import com.example.common.metrics.HttpRequestMetrics;
import com.fasterxml.jackson.databind.InjectableValues;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.cli.CheckCommand;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Map;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The start-up every service shares, added in the application's {@code initialize()}: the shared
 * configuration under the service's own file with environment variables substituted ({@link
 * LayeredConfigurationSource}), {@code server} and {@code check} commands that report a failed
 * start as one line naming the variable, request ids, JSON errors, the request histogram, {@code
 * /prometheus} and {@code /ready} on the admin port, and the readiness gate for graceful shutdown.
 * The application registers its own resources in its {@code run()}, with {@link #metrics()} for its
 * own metrics.
 */
public final class ServiceBundle<C extends ServiceConfiguration> implements ConfiguredBundle<C> {

  private final LayeredConfigurationSource configuration =
      new LayeredConfigurationSource(System.getenv());
  private final PrometheusRegistry metrics = new PrometheusRegistry();
  private final Counter droppedAccessLogLines = AccessLogDrops.counter();

  /**
   * The arguments to run with: {@code server <defaultFile>} when there are none, and a bare {@code
   * server} or {@code check} gets {@code defaultFile} too (the service's embedded configuration).
   */
  public static String[] withDefaultConfiguration(String defaultFile, String... arguments) {
    if (arguments.length == 0) {
      return new String[] {"server", defaultFile};
    }
    if (arguments.length == 1 && !arguments[0].startsWith("-")) {
      return new String[] {arguments[0], defaultFile};
    }
    return arguments;
  }

  /** The registry {@code /prometheus} serves; the application adds its own metrics to it. */
  public PrometheusRegistry metrics() {
    return metrics;
  }

  @Override
  public void initialize(Bootstrap<?> bootstrap) {
    bootstrap.setConfigurationSourceProvider(configuration);
    bootstrap
        .getObjectMapper()
        .setInjectableValues(
            new InjectableValues.Std()
                .addValue(LogstashLayoutFactory.SERVICE_NAME, bootstrap.getApplication().getName())
                .addValue(AccessLogDrops.INJECTION_KEY, droppedAccessLogLines));
    addCommands(bootstrap, bootstrap.getApplication());
  }

  /**
   * Dropwizard's {@code server} and {@code check}, reporting a failed start on one line. The
   * application adds no default commands (argparse4j refuses a second command of the same name).
   */
  private <T extends Configuration> void addCommands(
      Bootstrap<?> bootstrap, Application<T> application) {
    String service = application.getName();
    bootstrap.addCommand(
        new OneLineErrorCommand(new ServerCommand<>(application), service, this::variablesOf));
    bootstrap.addCommand(
        new OneLineErrorCommand(new CheckCommand<>(application), service, this::variablesOf));
  }

  private Map<String, String> variablesOf(String file) {
    try {
      return configuration.variables(file).bySetting();
    } catch (IOException | UncheckedIOException unreadable) {
      return Map.of();
    }
  }

  @Override
  public void run(C configuration, Environment environment) throws Exception {
    // The JVM under the Prometheus client's standard names (stock JVM dashboards read them);
    // from Dropwizard's registry only what JvmMetrics lacks: Jetty's and the HTTP client's.
    JvmMetrics.builder().register(metrics);
    DropwizardExports.builder()
        .dropwizardRegistry(environment.metrics())
        .metricFilter(new ExportedDropwizardMetrics())
        .register(metrics);
    metrics.register(droppedAccessLogLines);
    // Start-up work Jersey does by default that these services never use: the WADL resource
    // (/application.wadl) and the class-path scans for auto-discoverable features and
    // META-INF/services providers (Dropwizard registers what it needs by hand).
    environment.jersey().property(ServerProperties.WADL_FEATURE_DISABLE, true);
    environment.jersey().property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true);
    environment.jersey().property(CommonProperties.METAINF_SERVICES_LOOKUP_DISABLE, true);
    environment.jersey().register(new HttpRequestMetrics(metrics));
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
        .addServlet("prometheus", new PrometheusMetricsServlet(metrics))
        .addMapping("/prometheus");
  }
}
