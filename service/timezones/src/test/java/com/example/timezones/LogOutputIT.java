package com.example.timezones;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import com.example.common.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What timezones prints, run as its jar: timezones.yml has no settings of its own, so its server,
 * logging and access log all come from the shared configuration, with its own name in them.
 */
class LogOutputIT {

  static AppProcess app;

  @BeforeAll
  static void startAndExercise() {
    app =
        AppProcess.start(Map.of("APP_VERSION", "4.5.6-test", "SHUTDOWN_WAIT_PERIOD", "1s"))
            .awaitStarted(AppProcess.START_TIMEOUT);
    Http.get(app.url("/timezones/Asia/Kolkata"), "X-Request-Id", "tz-log-1");
    Http.get(app.url("/nope"));
    app.terminate();
    assertThat(app.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : app.stdout()) {
      lines.add(new ObjectMapper().readTree(line));
    }
    return lines;
  }

  @Test
  void everyLineIsJsonNamingTimezonesAndItsVersion() throws Exception {
    assertThat(lines())
        .hasSizeGreaterThan(5)
        .allSatisfy(
            line -> {
              assertThat(line.path("service").asText()).isEqualTo("timezones");
              assertThat(line.path("version").asText()).isEqualTo("4.5.6-test");
              assertThat(line.path("level").asText()).isNotBlank();
              assertThat(line.path("logger_name").asText()).isNotBlank();
            });
    assertThat(app.stderr()).isEmpty();
  }

  @Test
  void accessLinesCarryTheRequestsFields() throws Exception {
    assertThat(lines())
        .filteredOn(l -> l.path("logger_name").asText().equals("http.request"))
        .anySatisfy(
            line -> {
              assertThat(line.path("uri").asText()).isEqualTo("/timezones/Asia/Kolkata");
              assertThat(line.path("status_code").asInt()).isEqualTo(200);
              assertThat(line.path("request_id").asText()).isEqualTo("tz-log-1");
              assertThat(line.path("remote_ip").asText()).isEqualTo("127.0.0.1");
            })
        .anySatisfy(line -> assertThat(line.path("status_code").asInt()).isEqualTo(404));
  }
}
