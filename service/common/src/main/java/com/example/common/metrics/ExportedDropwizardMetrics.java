package com.example.common.metrics;

import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricFilter;

/**
 * The part of Dropwizard's metric registry worth exporting: Jetty's (thread pools, connections,
 * responses by class, active requests) and the HTTP client's connection pool. Left out: the JVM
 * gauges Dropwizard adds (the Prometheus client's {@code JvmMetrics} exports them under standard
 * names), logback's appender counters and the health-check thread pool.
 */
public final class ExportedDropwizardMetrics implements MetricFilter {

  private static final String[] PREFIXES = {
    "org.eclipse.jetty.", "io.dropwizard.jetty.", "org.apache.hc.client5."
  };

  @Override
  public boolean matches(String name, Metric metric) {
    for (String prefix : PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
