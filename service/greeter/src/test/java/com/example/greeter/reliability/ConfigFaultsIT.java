package com.example.greeter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import com.example.greeter.GreeterEnvironment;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad values of the variables {@code StartupConfigurationIT} does not cover: each stops start-up
 * with a non-zero exit and one line that names the variable, including Dropwizard's own settings
 * whose validation messages do not (ports, durations).
 */
class ConfigFaultsIT {

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("SHUTDOWN_WAIT_PERIOD", "abc"),
        Arguments.of("SHUTDOWN_WAIT_PERIOD", "-5s"),
        Arguments.of("SHUTDOWN_GRACE_PERIOD", "abc"),
        Arguments.of("TIMEZONES_CONNECT_TIMEOUT", "abc"),
        Arguments.of("TIMEZONES_URL", "http://"),
        Arguments.of("ADMIN_PORT", "-1"),
        Arguments.of("HTTP_PORT", "70000"),
        Arguments.of("TIMEZONES_REQUEST_TIMEOUT", "0s"),
        Arguments.of("TIMEZONES_REQUEST_TIMEOUT", "5m"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("badValues")
  void stopsWithOneLineNamingTheVariable(String variable, String value) {
    String line = failedStart(Map.of(variable, value));
    Greeters.figure("config: " + variable + "=" + value + " says", line);
    assertThat(line).contains(variable);
  }

  @Test
  void aPortClashNamesThePort() {
    int port = AppProcess.freePort();
    String line = failedStart(Map.of("HTTP_PORT", "" + port, "ADMIN_PORT", "" + port));
    Greeters.figure("config: HTTP_PORT=ADMIN_PORT says", line);
    assertThat(line).contains("Address already in use").contains(":" + port);
  }

  /** Starts greeter with a valid environment changed by {@code changes}; its one stderr line. */
  private static String failedStart(Map<String, String> changes) {
    Map<String, String> env = GreeterEnvironment.valid("http://127.0.0.1:9");
    env.putAll(changes);
    try (AppProcess app = AppProcess.start(env)) {
      int exit = app.awaitExit(AppProcess.START_TIMEOUT);
      assertThat(exit).as(app.output()).isNotZero().isNotEqualTo(-1);
      assertThat(app.stderr()).as(app.output()).hasSize(1);
      String line = app.stderr().get(0);
      assertThat(line).startsWith("greeter: cannot start: ");
      assertThat(app.output()).doesNotContain("\tat ").doesNotContain("Exception in thread");
      assertThat(app.output())
          .doesNotContain(GreeterEnvironment.API_KEY, GreeterEnvironment.SECRET);
      return line;
    }
  }
}
