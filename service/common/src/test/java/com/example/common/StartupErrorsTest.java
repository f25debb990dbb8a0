package com.example.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.ConfigurationException;
import java.io.IOException;
import java.net.BindException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupErrorsTest {

  @Test
  void reportsTheRootCauseOnOneLine() {
    Exception error =
        new IOException("Failed to bind", new BindException("Address already in use"));

    assertThat(StartupErrors.describe("greeter", error))
        .isEqualTo("greeter: cannot start: BindException: Address already in use");
  }

  @Test
  void foldsDropwizardsMultiLineConfigurationErrors() {
    Exception error =
        new ConfigurationException(
            "greeter.yml", List.of("Incorrect type of value at: server.port", "second problem")) {};

    String line = StartupErrors.describe("greeter", error);

    assertThat(line)
        .isEqualTo(
            "greeter: cannot start: greeter.yml has the following errors:"
                + " Incorrect type of value at: server.port; second problem");
  }
}
