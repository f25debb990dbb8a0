package com.example.timezones.reliability;

import static com.example.common.testing.SafeResponses.assertSafe;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.RandomInput;
import com.example.common.testing.RawHttp;
import com.example.common.testing.SafeResponses;
import com.example.timezones.TimezonesApplication;
import com.example.timezones.TimezonesConfiguration;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated zone ids, prefixes, request targets and methods against a running timezones (real
 * Jetty, raw sockets): never a 5xx, never HTML, errors in the JSON shape, a 200 only for a zone the
 * JVM knows, and the request metric's labels from a fixed set.
 */
class BadInputPropertiesTest {

  static final Set<String> ROUTE_LABELS = Set.of("/timezones", "/timezones/{zone}", "UNMATCHED");
  static final List<String> REAL_ZONES = ZoneId.getAvailableZoneIds().stream().sorted().toList();
  static final RandomInput INPUT = RandomInput.seeded();

  static DropwizardTestSupport<TimezonesConfiguration> app;

  @BeforeAll
  static void start() throws Exception {
    app =
        new DropwizardTestSupport<>(
            TimezonesApplication.class,
            ResourceHelpers.resourceFilePath("timezones.yml"),
            ConfigOverride.randomPorts());
    app.before();
  }

  @AfterAll
  static void stop() {
    app.after();
  }

  @AfterEach
  void metricLabelsStayBounded() {
    SafeResponses.assertRequestLabelsBounded(
        "http://127.0.0.1:" + app.getAdminPort() + "/prometheus", ROUTE_LABELS);
  }

  @Test
  void anyZoneId() {
    INPUT.check(
        "zone id",
        400,
        // CR or LF would end the request line early (greeter's report: a 505).
        () -> zone().replace('\r', '~').replace('\n', '~'),
        zone -> {
          RawHttp.Response response = get("/timezones/" + zone);
          assertSafe(response, "GET");
          assertThat(response.status()).isIn(200, 400, 404, 414, 431);
          if (response.status() == 200) {
            // a zone; or the list, when the target's zone part is empty once '?' or ';' ends it
            assertThat(response.bodyText()).matches("(?s)^[\\[{].*");
          }
        });
  }

  @Test
  void anyPrefix() {
    INPUT.check(
        "prefix",
        300,
        () -> zone().replace('\r', '~').replace('\n', '~'),
        prefix -> {
          RawHttp.Response response = get("/timezones?prefix=" + prefix);
          assertSafe(response, "GET");
          assertThat(response.status()).isIn(200, 400, 404, 414, 431);
        });
  }

  @Test
  void anyMethodAndTarget() {
    INPUT.check(
        "method and target",
        300,
        () ->
            List.of(
                INPUT.httpMethod(),
                INPUT.oneOf("/timezones", "/timezones/", "/", "/timezones/Asia/Kolkata", "/x")
                    + INPUT
                        .oneOf("", "/..", "/%2e%2e/%2e%2e", "?prefix=", "/" + zone())
                        .replace('\r', '~')
                        .replace('\n', '~')),
        input -> {
          RawHttp.Response response =
              RawHttp.send(
                  app.getLocalPort(),
                  List.of(
                      (input.get(0) + " " + input.get(1) + " HTTP/1.1")
                          .getBytes(StandardCharsets.UTF_8),
                      "Host: 127.0.0.1".getBytes(StandardCharsets.US_ASCII),
                      "Connection: close".getBytes(StandardCharsets.US_ASCII)));
          assertSafe(response, input.get(0));
        });
  }

  static RawHttp.Response get(String target) {
    return RawHttp.send(
        app.getLocalPort(),
        List.of(
            ("GET " + target + " HTTP/1.1").getBytes(StandardCharsets.UTF_8),
            "Host: 127.0.0.1".getBytes(StandardCharsets.US_ASCII),
            "Connection: close".getBytes(StandardCharsets.US_ASCII)));
  }

  static String zone() {
    return INPUT.weighted(
        3,
        (Supplier<String>) () -> INPUT.oneOf(REAL_ZONES),
        1,
        (Supplier<String>) () -> INPUT.oneOf(REAL_ZONES).toLowerCase(java.util.Locale.ROOT),
        3,
        (Supplier<String>)
            () ->
                INPUT.oneOf(
                    "../../admin",
                    "..%2F..%2Fprometheus",
                    "Asia%2FKolkata",
                    "Asia//Kolkata",
                    "/etc/passwd",
                    "Asia/Kolkata/../../x",
                    "%00",
                    "%ff",
                    "%",
                    "Asia/Kolkata%20",
                    "UTC+5",
                    "GMT-14",
                    "Etc/GMT+5",
                    "Etc/GMT%2B5",
                    "+05:30",
                    "Z",
                    "SystemV/EST5",
                    "EST",
                    "\u65e5\u672c/x",
                    "",
                    ";",
                    "Asia/Kolkata;x=y",
                    "Asia/Kolkata?x",
                    "UTC+99:99",
                    "UT+01:00:00:00",
                    "GMT0",
                    "-"),
        2,
        (Supplier<String>) () -> INPUT.anyText(30),
        1,
        (Supplier<String>) () -> INPUT.string('a', 'z', 65, 9000));
  }
}
