package com.example.greeter;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A bad environment stops start-up with one line naming the variable, and a non-zero exit. */
class StartupConfigurationIT {

  static Stream<Arguments> badEnvironments() {
    return Stream.of(
        bad("DUMMY_API_KEY", env -> env.remove("DUMMY_API_KEY")),
        bad("DUMMY_API_KEY", env -> env.put("DUMMY_API_KEY", "")),
        bad("DUMMY_API_KEY", env -> env.put("DUMMY_API_KEY", "   ")),
        bad("SECRET_MESSAGE", env -> env.remove("SECRET_MESSAGE")),
        bad("GREETING", env -> env.remove("GREETING")),
        bad("TIMEZONE_OFFSET", env -> env.remove("TIMEZONE_OFFSET")),
        bad("TIMEZONE_OFFSET", env -> env.put("TIMEZONE_OFFSET", "+25:00")),
        bad("TIMEZONE_OFFSET", env -> env.put("TIMEZONE_OFFSET", "IST")),
        bad("TIMEZONE_OFFSET", env -> env.put("TIMEZONE_OFFSET", "5")),
        bad("TIMEZONES_URL", env -> env.remove("TIMEZONES_URL")),
        bad("TIMEZONES_URL", env -> env.put("TIMEZONES_URL", "ftp://timezones")),
        bad("HTTP_PORT", env -> env.put("HTTP_PORT", "eighty")));
  }

  static Arguments bad(String variable, Consumer<Map<String, String>> change) {
    return Arguments.of(variable, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEnvironments")
  void stopsWithOneLineNamingTheVariable(String variable, Consumer<Map<String, String>> change) {
    Map<String, String> env = GreeterEnvironment.valid("http://127.0.0.1:9");
    change.accept(env);

    try (AppProcess app = AppProcess.start(env)) {
      int exit = app.awaitExit(AppProcess.START_TIMEOUT);

      assertThat(exit).isNotZero().isNotEqualTo(-1);
      assertThat(app.stderr())
          .singleElement()
          .asString()
          .startsWith("greeter: cannot start: ")
          .contains(variable);
      assertThat(app.output()).doesNotContain("\tat ").doesNotContain("Exception in thread");
      assertThat(app.output())
          .doesNotContain(GreeterEnvironment.API_KEY, GreeterEnvironment.SECRET);
    }
  }
}
