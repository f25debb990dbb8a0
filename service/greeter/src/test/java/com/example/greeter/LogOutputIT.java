package com.example.greeter;

import static com.example.greeter.FakeTimezones.Behaviour.ANSWER;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import com.example.common.testing.Http;
import com.example.common.testing.RawHttp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What greeter prints: one JSON object a line, with its fields, and never a credential. */
class LogOutputIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SIDECAR = "127.0.0.6";
  static final String FORGED = "6.6.6.6";
  static final String EDGE_CLIENT = "203.0.113.7";
  static final int BURST_THREADS = 8;
  static final int BURST_REQUESTS = 50;
  static FakeTimezones timezones;
  static AppProcess app;

  @BeforeAll
  static void startAndExercise() {
    timezones = new FakeTimezones().on("Asia/Kolkata", ANSWER);
    Map<String, String> env = GreeterEnvironment.valid(timezones.url());
    env.put("LOG_LEVEL", "DEBUG");
    app = AppProcess.start(env).awaitStarted(AppProcess.START_TIMEOUT);

    Http.get(
        app.url("/secret"), "X-API-Key", GreeterEnvironment.API_KEY, "X-Request-Id", "log-it-1");
    Http.get(app.url("/secret"), "X-API-Key", GreeterEnvironment.API_KEY + "x");
    Http.get(app.url("/secret"), "X-API-Key", GreeterEnvironment.SECRET);
    Http.get(app.url("/secret?key=" + GreeterEnvironment.API_KEY));
    Http.get(app.url("/time?zone=Asia/Kolkata"), "X-Request-Id", "log-it-2");
    Http.get(app.url("/nope"));
    Http.get(app.adminUrl("/prometheus"));
    // A client that connects straight to greeter and claims another address.
    RawHttp.send(
        app.port,
        "GET / HTTP/1.1",
        "Host: greeter",
        "X-Request-Id: xff-direct",
        "X-Forwarded-For: " + FORGED,
        "Connection: close");
    // What Istio's sidecar delivers (from 127.0.0.6): the edge appended the client it saw.
    RawHttp.sendFrom(
        SIDECAR,
        app.port,
        "GET / HTTP/1.1",
        "Host: greeter",
        "X-Request-Id: xff-sidecar",
        "X-Forwarded-For: " + FORGED + ", " + EDGE_CLIENT,
        "Connection: close");
    burst();
    app.terminate();
    // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran to completion.
    assertThat(app.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
  }

  /** Normal load: a few clients at once, each request with an id of its own. */
  static void burst() {
    ExecutorService clients = Executors.newFixedThreadPool(BURST_THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < BURST_THREADS; t++) {
      int client = t;
      done.add(
          clients.submit(
              () -> {
                for (int i = 0; i < BURST_REQUESTS; i++) {
                  Http.get(app.url("/"), "X-Request-Id", "burst-" + client + "-" + i);
                }
              }));
    }
    done.forEach(
        f -> {
          try {
            f.get();
          } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
          }
        });
    clients.shutdown();
  }

  @AfterAll
  static void stop() {
    app.close();
    timezones.close();
  }

  static List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : app.stdout()) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  @Test
  void everyStdoutLineIsOneJsonObjectWithTheCommonFields() throws Exception {
    assertThat(app.stdout()).hasSizeGreaterThan(10);
    assertThat(lines())
        .allSatisfy(
            line -> {
              assertThat(line.isObject()).isTrue();
              assertThat(line.get("@timestamp")).isNotNull();
              assertThat(line.path("level").asText())
                  .isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
              assertThat(line.path("logger_name").asText()).isNotBlank();
              assertThat(line.path("message").isTextual()).isTrue();
              assertThat(line.path("service").asText()).isEqualTo("greeter");
              assertThat(line.path("version").asText()).isEqualTo("1.2.3-test");
            });
    assertThat(app.stderr()).isEmpty();
  }

  @Test
  void underNormalLoadEveryRequestGetsItsAccessLine() throws Exception {
    Set<String> logged =
        lines().stream()
            .filter(l -> l.path("logger_name").asText().equals("http.request"))
            .map(l -> l.path("request_id").asText())
            .filter(id -> id.startsWith("burst-"))
            .collect(Collectors.toSet());

    assertThat(logged).hasSize(BURST_THREADS * BURST_REQUESTS);
  }

  @Test
  void accessLinesCarryTheRequestIdAndNoQueryString() throws Exception {
    List<JsonNode> access =
        lines().stream()
            .filter(l -> l.path("logger_name").asText().equals("http.request"))
            .toList();

    assertThat(access)
        .anySatisfy(
            line -> {
              assertThat(line.path("uri").asText()).isEqualTo("/time");
              assertThat(line.path("status_code").asInt()).isEqualTo(200);
              assertThat(line.path("request_id").asText()).isEqualTo("log-it-2");
              assertThat(line.path("elapsed_time").isNumber()).isTrue();
            });
    assertThat(access)
        .anySatisfy(line -> assertThat(line.path("status_code").asInt()).isEqualTo(401));
    assertThat(access).extracting(l -> l.path("uri").asText()).noneMatch(uri -> uri.contains("?"));
  }

  /**
   * The fields the dashboards (observability/dashboards/logs.json), Alloy
   * (observability/values/alloy.yaml) and the runbooks read from an access line.
   */
  @Test
  void accessLinesCarryEveryFieldTheDashboardsAlloyAndRunbooksRead() throws Exception {
    List<JsonNode> access =
        lines().stream()
            .filter(l -> l.path("logger_name").asText().equals("http.request"))
            .toList();

    assertThat(access).hasSizeGreaterThanOrEqualTo(8);
    assertThat(access)
        .allSatisfy(
            line -> {
              assertThat(line.path("message").asText())
                  .isEqualTo(
                      line.path("method").asText()
                          + " "
                          + line.path("uri").asText()
                          + " "
                          + line.path("status_code").asInt());
              assertThat(line.path("method").asText()).isEqualTo("GET");
              assertThat(line.path("uri").asText()).startsWith("/");
              assertThat(line.path("protocol").asText()).isEqualTo("HTTP/1.1");
              assertThat(line.path("status_code").isInt()).isTrue();
              assertThat(line.path("elapsed_time").isIntegralNumber()).isTrue();
              assertThat(line.path("bytes_sent").isIntegralNumber()).isTrue();
              assertThat(line.path("remote_ip").asText()).isNotBlank();
              assertThat(line.path("request_id").asText()).isNotBlank();
            });
  }

  @Test
  void aClientConnectingDirectlyIsLoggedAsItsPeerWhateverItsForwardedForClaims() throws Exception {
    assertThat(accessLine("xff-direct").path("remote_ip").asText()).isEqualTo("127.0.0.1");
  }

  @Test
  void throughTheSidecarTheClientIsTheEntryTheEdgeAppendedNeverTheLeftMost() throws Exception {
    assertThat(accessLine("xff-sidecar").path("remote_ip").asText()).isEqualTo(EDGE_CLIENT);
  }

  private static JsonNode accessLine(String requestId) throws Exception {
    return lines().stream()
        .filter(l -> l.path("logger_name").asText().equals("http.request"))
        .filter(l -> l.path("request_id").asText().equals(requestId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no access line for " + requestId));
  }

  @Test
  void applicationLinesDuringARequestCarryItsRequestId() throws Exception {
    assertThat(lines())
        .filteredOn(l -> !l.path("logger_name").asText().equals("http.request"))
        .anySatisfy(line -> assertThat(line.path("request_id").asText()).isEqualTo("log-it-2"));
  }

  @Test
  void neitherTheKeyNorTheSecretIsEverPrinted() {
    assertThat(app.output())
        .doesNotContain(GreeterEnvironment.API_KEY)
        .doesNotContain(GreeterEnvironment.SECRET);
  }
}
