package com.example.common.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** Settings every service has on top of Dropwizard's own. */
public class ServiceConfiguration extends Configuration {

  /**
   * How long readiness reports 503 while the server keeps serving, after SIGTERM and before Jetty
   * stops accepting: time for Kubernetes and the mesh to take the pod out of endpoints.
   */
  @NotNull @JsonProperty private Duration shutdownWaitPeriod = Duration.seconds(5);

  public Duration getShutdownWaitPeriod() {
    return shutdownWaitPeriod;
  }
}
