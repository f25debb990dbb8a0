package com.example.common.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.ConfigurationException;
import java.io.IOException;
import java.net.BindException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupErrorsTest {

  @Test
  void reportsTheRootCauseOnOneLine() {
    Exception error =
        new IOException("Failed to bind", new BindException("Address already in use"));

    assertThat(StartupErrors.describe("greeter", error, Map.of()))
        .isEqualTo("greeter: cannot start: Failed to bind (BindException: Address already in use)");
  }

  @Test
  void foldsDropwizardsMultiLineConfigurationErrors() {
    Exception error =
        new ConfigurationException(
            "greeter.yml", List.of("Incorrect type of value at: server.port", "second problem")) {};

    String line = StartupErrors.describe("greeter", error, Map.of());

    assertThat(line)
        .isEqualTo(
            "greeter: cannot start: greeter.yml has the following errors:"
                + " Incorrect type of value at: server.port; second problem");
  }

  @Test
  void putsTheVariableOrElseTheSettingInFrontOfEachValidationMessage() throws Exception {
    Exception error = invalid(new Invalid());

    assertThat(StartupErrors.describe("greeter", error, Map.of("greeting", "GREETING")))
        .isEqualTo(
            "greeter: cannot start: GREETING must not be blank; port must be between 1 and 65535");
  }

  @Test
  void namesTheVariableOfASettingThatCannotBeRead() {
    Exception error =
        new ConfigurationException(
            "greeter.yml",
            List.of(
                "Failed to parse configuration at: shutdownWaitPeriod; Invalid duration: abc")) {};

    assertThat(StartupErrors.describe("greeter", error, Map.of("shutdownWaitPeriod", "WAIT")))
        .startsWith("greeter: cannot start: WAIT has a value that cannot be read: greeter.yml");
  }

  static class Invalid {
    @jakarta.validation.constraints.NotBlank public String greeting = "";

    @io.dropwizard.validation.PortRange(min = 1)
    public int port = 70000;
  }

  static Exception invalid(Object config) {
    var violations = io.dropwizard.jersey.validation.Validators.newValidator().validate(config);
    return new io.dropwizard.configuration.ConfigurationValidationException(
        "greeter.yml", violations);
  }
}
