package com.example.greeter.reliability;

import static com.example.common.testing.SafeResponses.assertSafe;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.Http;
import com.example.common.testing.PrometheusText;
import com.example.common.testing.RandomInput;
import com.example.common.testing.RawHttp;
import com.example.common.testing.SafeResponses;
import com.example.greeter.GreeterApplication;
import com.example.greeter.GreeterConfiguration;
import com.example.greeter.GreeterEnvironment;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated bad input against a running greeter (in-process, real Jetty, raw sockets so that
 * nothing is cleaned up on the way): request targets, methods, headers (oversized, non-ASCII,
 * repeated {@code X-API-Key}, CR/LF injection) and zone ids. Whatever arrives: never a 5xx, never
 * HTML, errors always the JSON shape, the secret only for exactly one right key, the key never
 * echoed, nothing unsafe forwarded to timezones, and the request metric's labels from a fixed set.
 */
class BadInputPropertiesTest {

  static final Set<String> ROUTE_LABELS = Set.of("/", "/secret", "/time", "UNMATCHED");

  /** What greeter may send timezones: its path and a zone id of path-safe characters. */
  static final Pattern FORWARDED = Pattern.compile("/timezones/[A-Za-z0-9_+/-]+");

  static final RandomInput INPUT = RandomInput.seeded();
  static FaultyTimezones timezones;
  static DropwizardTestSupport<GreeterConfiguration> app;

  @BeforeAll
  static void start() throws Exception {
    timezones = new FaultyTimezones();
    app =
        new DropwizardTestSupport<>(
            GreeterApplication.class,
            ResourceHelpers.resourceFilePath("greeter.yml"),
            GreeterEnvironment.overrides(GreeterEnvironment.API_KEY, timezones.url()));
    app.before();
  }

  @AfterAll
  static void stop() {
    app.after();
    timezones.close();
  }

  // ---- properties

  @Test
  void anyMethodAndRequestTarget() {
    INPUT.check(
        "method and request target",
        400,
        // CR or LF in the request line: see
        // aRequestLineWithoutAVersionIsJettysJson505AndNeverCounted.
        () -> List.of(INPUT.httpMethod(), target().replace('\r', '~').replace('\n', '~')),
        input -> {
          RawHttp.Response response =
              RawHttp.send(
                  app.getLocalPort(),
                  List.of(
                      (input.get(0) + " " + input.get(1) + " HTTP/1.1")
                          .getBytes(StandardCharsets.UTF_8),
                      bytes("Host: 127.0.0.1"),
                      bytes("Connection: close")));
          assertSafe(response, input.get(0));
          assertThat(response.all()).doesNotContain(GreeterEnvironment.SECRET);
        });
  }

  @Test
  void anyHeaders() {
    INPUT.check(
        "headers",
        400,
        () -> new Request(path(), headerSet()),
        request -> {
          List<byte[]> head = new ArrayList<>();
          head.add(bytes("GET " + request.path() + " HTTP/1.1"));
          head.add(bytes("Host: 127.0.0.1"));
          head.add(bytes("Connection: close"));
          request
              .headers()
              .forEach(h -> head.add((h.name() + ": " + h.value()).getBytes(h.charset())));
          RawHttp.Response response = RawHttp.send(app.getLocalPort(), head);

          assertSafe(response, "GET");
          if (!authorised(request.headers())) {
            assertThat(response.all())
                .as("the secret in an unauthorised response")
                .doesNotContain(GreeterEnvironment.SECRET);
          }
          assertThat(withoutEchoedRequestId(response))
              .as("the key echoed")
              .doesNotContain(GreeterEnvironment.API_KEY);
          assertForwardedOnlySafeTargets();
        });
  }

  @Test
  void anyZoneQuery() {
    INPUT.check(
        "zone query",
        300,
        // CR or LF in the request line: see
        // aRequestLineWithoutAVersionIsJettysJson505AndNeverCounted.
        () -> zoneQuery().replace('\r', '~').replace('\n', '~'),
        query -> {
          RawHttp.Response response =
              RawHttp.send(
                  app.getLocalPort(),
                  List.of(
                      ("GET /time?" + query + " HTTP/1.1").getBytes(StandardCharsets.UTF_8),
                      bytes("Host: 127.0.0.1"),
                      bytes("Connection: close")));
          assertSafe(response, "GET");
          assertThat(response.status()).isIn(200, 400, 404, 414, 431);
          assertForwardedOnlySafeTargets();
        });
  }

  /**
   * A bare LF inside the request target ends the request line early, and an empty target (two
   * spaces) leaves it without a version: Jetty's parser reads HTTP/0.9 and answers 505 itself,
   * before any handler (a 400 would be more exact; Jetty offers no switch for it). It is JSON, and
   * it never reaches the request histogram, so it cannot move the 5xx rates that alerts and the
   * canary gate read; in the cluster Envoy and NGINX reject such a line before the pod sees it.
   */
  @Test
  void aRequestLineWithoutAVersionIsJettysJson505AndNeverCounted() {
    for (String requestLine : List.of("GET /a\nb HTTP/1.1", "GET  HTTP/1.1", "GET /")) {
      RawHttp.Response response =
          RawHttp.sendBytes(
              app.getLocalPort(),
              (requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(response.status()).as(requestLine).isEqualTo(505);
      assertThat(new String(response.body(), StandardCharsets.UTF_8))
          .as(requestLine)
          .isEqualTo("{\"code\":505,\"message\":\"HTTP Version Not Supported\"}");
    }
    // A well-formed request after them: once it is counted, the bad lines would be too.
    Http.get("http://127.0.0.1:" + app.getLocalPort() + "/");
    String metrics =
        PrometheusText.scrapeUntil(
            "http://127.0.0.1:" + app.getAdminPort() + "/prometheus",
            text -> text.contains("route=\"/\""));
    assertThat(metrics).doesNotContain("status=\"505\"");
  }

  /** The oracle of {@link #anyHeaders} is right: one clean right key does get the secret. */
  @Test
  void exactlyOneRightKeyGetsTheSecretAndTwoDoNot() {
    RawHttp.Response one =
        RawHttp.send(
            app.getLocalPort(),
            "GET /secret HTTP/1.1",
            "Host: x",
            "Connection: close",
            "x-api-key: " + GreeterEnvironment.API_KEY);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.bodyText()).contains(GreeterEnvironment.SECRET);

    RawHttp.Response two =
        RawHttp.send(
            app.getLocalPort(),
            "GET /secret HTTP/1.1",
            "Host: x",
            "Connection: close",
            "X-API-Key: " + GreeterEnvironment.API_KEY,
            "X-API-Key: " + GreeterEnvironment.API_KEY);
    assertThat(two.status()).isEqualTo(401);
    assertThat(two.all()).doesNotContain(GreeterEnvironment.SECRET);
  }

  /** After each property: {@code http_server_requests_seconds} has only labels from fixed sets. */
  @AfterEach
  void metricLabelsStayBounded() {
    SafeResponses.assertRequestLabelsBounded(
        "http://127.0.0.1:" + app.getAdminPort() + "/prometheus", ROUTE_LABELS);
  }

  // ---- oracles

  /**
   * Whether greeter may answer the secret: exactly one {@code X-API-Key} (any case) whose trimmed
   * value is the key, and no header bytes that could smuggle another line. Lenient on purpose: when
   * in doubt it says authorised, so a leak it reports is a real one.
   */
  static boolean authorised(List<Header> headers) {
    List<Header> keys =
        headers.stream().filter(h -> h.name().equalsIgnoreCase("X-API-Key")).toList();
    return keys.size() == 1 && keys.get(0).value().strip().equals(GreeterEnvironment.API_KEY);
  }

  /** The response but its {@code X-Request-Id}, which echoes the client's own (well-formed) id. */
  static String withoutEchoedRequestId(RawHttp.Response response) {
    return new RawHttp.Response(
            response.status(),
            response.headers().stream()
                .filter(h -> !h[0].equalsIgnoreCase("X-Request-Id"))
                .toList(),
            response.body())
        .all();
  }

  static void assertForwardedOnlySafeTargets() {
    assertThat(timezones.targets()).allSatisfy(target -> assertThat(target).matches(FORWARDED));
  }

  static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }

  // ---- generators

  /** A header line as sent: its name, its value, and the charset its bytes are written in. */
  record Header(String name, String value, Charset charset) {
    @Override
    public String toString() {
      String shown =
          value.length() > 60 ? value.substring(0, 60) + "...(" + value.length() + ")" : value;
      return name + ": " + shown.replace("\r", "\\r").replace("\n", "\\n") + " [" + charset + "]";
    }
  }

  record Request(String path, List<Header> headers) {}

  String target() {
    Supplier<String> segment =
        () ->
            INPUT.weighted(
                7,
                (Supplier<String>)
                    () ->
                        INPUT.oneOf(
                            "",
                            "secret",
                            "time",
                            "timezones",
                            "Asia",
                            "Kolkata",
                            "..",
                            ".",
                            "%2e%2e",
                            "%2F",
                            "%00",
                            "%ff",
                            "%",
                            "%zz",
                            ";x=y",
                            "%0d%0aX-API-Key:%20x",
                            "admin",
                            "prometheus",
                            "ready",
                            "ping",
                            "healthcheck",
                            "application.wadl",
                            "WEB-INF",
                            "\\",
                            "secret;",
                            "SECRET",
                            "%E2%82%AC",
                            "\u00e9",
                            "\u65e5\u672c",
                            "\u0000",
                            "\t"),
                3,
                (Supplier<String>) () -> INPUT.anyText(12),
                1,
                (Supplier<String>) () -> INPUT.string('a', 'z', 2000, 12_000));
    String query =
        INPUT.weighted(
            5,
            (Supplier<String>) () -> "",
            2,
            (Supplier<String>) () -> "?" + INPUT.anyText(20),
            2,
            (Supplier<String>) () -> "?" + zoneQuery());
    return "/" + String.join("/", INPUT.listOf(0, 5, segment)) + query;
  }

  String path() {
    return INPUT.weighted(
        6,
        (Supplier<String>) () -> "/secret",
        2,
        (Supplier<String>) () -> "/time?zone=Asia/Kolkata",
        1,
        (Supplier<String>) () -> "/",
        1,
        (Supplier<String>) () -> "/secret/");
  }

  List<Header> headerSet() {
    String key = GreeterEnvironment.API_KEY;
    Supplier<String> name =
        () ->
            INPUT.weighted(
                6,
                (Supplier<String>)
                    () ->
                        INPUT.oneOf(
                            "X-API-Key",
                            "x-api-key",
                            "X-Api-Key",
                            "X-API-KEY",
                            "X-API-Key ",
                            "X-API_Key"),
                3,
                (Supplier<String>)
                    () ->
                        INPUT.oneOf(
                            "X-Request-Id",
                            "Accept",
                            "Content-Type",
                            "traceparent",
                            "tracestate",
                            "b3",
                            "x-b3-traceid",
                            "Cookie",
                            "Authorization",
                            "Transfer-Encoding",
                            "Content-Length",
                            "Expect"),
                1,
                (Supplier<String>) () -> INPUT.string('a', 'z', 1, 20));
    Supplier<String> value =
        () ->
            INPUT.weighted(
                5,
                (Supplier<String>)
                    () ->
                        INPUT.oneOf(
                            key,
                            " " + key + " ",
                            key + "x",
                            key.substring(1),
                            key.substring(0, 10),
                            "",
                            key.toUpperCase(Locale.ROOT),
                            key + "," + key,
                            "application/json",
                            "chunked",
                            "100-continue",
                            "-1",
                            "99999999999"),
                2,
                (Supplier<String>) () -> INPUT.anyText(40),
                1,
                (Supplier<String>) () -> INPUT.string('a', 'z', 4000, 20_000),
                2,
                (Supplier<String>)
                    () ->
                        INPUT.oneOf(
                            "a\r\nX-API-Key: " + key,
                            "a\nX-API-Key: " + key,
                            "a\rX-API-Key: " + key,
                            "\r\n\r\nGET /secret HTTP/1.1\r\nX-API-Key: " + key,
                            key + "\r\n",
                            key + "\u0000",
                            "a\r\n b"));
    List<Header> headers =
        INPUT.listOf(
            0,
            6,
            () ->
                new Header(
                    name.get(),
                    value.get(),
                    INPUT.oneOf(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)));
    return withoutKeyInInjections(headers);
  }

  /**
   * A value with CR, LF or NUL could carry a header line of its own; such sets never carry the real
   * key, so any secret in their answer is a leak, not a header the client really sent.
   */
  static List<Header> withoutKeyInInjections(List<Header> headers) {
    boolean injects =
        headers.stream()
            .anyMatch(h -> h.value().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0));
    if (!injects) {
      return headers;
    }
    return headers.stream()
        .map(
            h ->
                new Header(
                    h.name(),
                    h.value().replace(GreeterEnvironment.API_KEY, "not-the-key"),
                    h.charset()))
        .toList();
  }

  static final List<String> REAL_ZONES = ZoneId.getAvailableZoneIds().stream().sorted().toList();

  String zoneQuery() {
    Supplier<String> zone =
        () ->
            INPUT.weighted(
                3,
                (Supplier<String>) () -> INPUT.oneOf(REAL_ZONES),
                1,
                (Supplier<String>) () -> "Unknown/" + INPUT.oneOf(REAL_ZONES).replace('/', '_'),
                3,
                (Supplier<String>)
                    () ->
                        INPUT.oneOf(
                            "../../admin",
                            "..%2F..%2Fprometheus",
                            "Asia%2FKolkata",
                            "Asia/Kolkata%0d%0aX:1",
                            "Asia/Kolkata?x=1",
                            "Asia/Kolkata#x",
                            "Asia//Kolkata",
                            "/etc/passwd",
                            "Asia/Kolkata/../../x",
                            "%00",
                            "%ff",
                            "Asia/Kolkata%20",
                            "UTC@evil.example",
                            "http://evil.example/",
                            "A/B/C/D/E/F",
                            "Etc/GMT+5",
                            "Etc/GMT%2B5",
                            "\u65e5\u672c/x",
                            ""),
                2,
                (Supplier<String>) () -> INPUT.anyText(30),
                1,
                (Supplier<String>) () -> INPUT.string('a', 'z', 31, 9000));
    return INPUT.weighted(
        6,
        (Supplier<String>) () -> "zone=" + zone.get(),
        1,
        (Supplier<String>) () -> "zone=" + zone.get() + "&zone=Asia/Kolkata",
        1,
        (Supplier<String>) () -> "zone=Asia/Kolkata&zone=" + zone.get(),
        1,
        (Supplier<String>) () -> "zonE=" + zone.get());
  }
}
