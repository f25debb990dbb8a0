package com.example.greeter;

import static com.example.common.testing.JsonResponses.assertError;
import static com.example.common.testing.JsonResponses.json;
import static com.example.greeter.FakeTimezones.Behaviour.ANSWER;
import static com.example.greeter.FakeTimezones.Behaviour.GARBAGE;
import static com.example.greeter.FakeTimezones.Behaviour.REDIRECT;
import static com.example.greeter.FakeTimezones.Behaviour.SERVER_ERROR;
import static com.example.greeter.FakeTimezones.Behaviour.SLOW;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.Http;
import com.example.common.testing.PrometheusText;
import com.example.common.testing.PrometheusText.Sample;
import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(DropwizardExtensionsSupport.class)
class GreeterApplicationTest {

  static final String API_KEY = "test-key-0123456789";

  /**
   * greeter's read timeout on timezones here: 100 times what the fake needs to answer on a busy
   * machine, and far below the 3 s the fake's slow zone takes.
   */
  static final Duration TIMEOUT = Duration.ofMillis(600);

  /**
   * Scheduling and JVM slack on a busy 2-core machine on top of {@link #TIMEOUT}. TIMEOUT + SLACK
   * (2.6 s) stays under the slow zone's 3 s, so a call that waited for the answer instead of timing
   * out fails both the status and the time check.
   */
  static final Duration SLACK = Duration.ofMillis(2000);

  static final FakeTimezones TIMEZONES =
      new FakeTimezones()
          .on("Asia/Kolkata", ANSWER)
          .on("Etc/GMT+5", ANSWER)
          .on("Slow/Zone", SLOW)
          .on("Garbage/Zone", GARBAGE)
          .on("Broken/Zone", SERVER_ERROR)
          .on("Moved/Zone", REDIRECT)
          .slowFor(3000);

  static final DropwizardAppExtension<GreeterConfiguration> APP =
      new DropwizardAppExtension<>(
          GreeterApplication.class,
          ResourceHelpers.resourceFilePath("greeter.yml"),
          GreeterEnvironment.overrides(
              API_KEY,
              TIMEZONES.url(),
              ConfigOverride.config("timezones.timeout", TIMEOUT.toMillis() + "ms")));

  @AfterAll
  static void stopTimezones() {
    TIMEZONES.close();
  }

  static HttpResponse<String> get(String path, String... headers) {
    return Http.get("http://127.0.0.1:" + APP.getLocalPort() + path, headers);
  }

  @Nested
  class Greeting {

    @Test
    void greetsWithTheTimeAtTheConfiguredOffset() throws Exception {
      HttpResponse<String> response = get("/");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = json(response);
      assertThat(body.get("message").asText()).isEqualTo(GreeterEnvironment.GREETING);
      assertThat(body.get("timezoneOffset").asText()).isEqualTo("+05:30");
      OffsetDateTime time = OffsetDateTime.parse(body.get("time").asText());
      assertThat(time.getOffset().getId()).isEqualTo("+05:30");
      assertThat(Duration.between(time.toInstant(), java.time.Instant.now()).abs())
          .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void echoesTheCallersRequestId() {
      assertThat(get("/", "X-Request-Id", "abc-123").headers().firstValue("X-Request-Id"))
          .contains("abc-123");
    }
  }

  @Nested
  class Secret {

    @Test
    void revealsTheSecretToTheRightKey() throws Exception {
      HttpResponse<String> response = get("/secret", "X-API-Key", API_KEY);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(json(response).get("message").asText()).isEqualTo(GreeterEnvironment.SECRET);
    }

    @Test
    void rejectsAMissingKey() throws Exception {
      HttpResponse<String> response = get("/secret");

      assertError(response, 401);
      assertThat(response.body()).doesNotContain(GreeterEnvironment.SECRET);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "wrong",
          "test-key-012345678",
          "test-key-01234567890",
          "TEST-KEY-0123456789",
          " "
        })
    void rejectsAWrongKey(String key) throws Exception {
      HttpResponse<String> response = get("/secret", "X-API-Key", key);

      assertError(response, 401);
      assertThat(response.body()).doesNotContain(GreeterEnvironment.SECRET);
    }

    @Test
    void rejectsARepeatedKeyHeaderEvenIfOneIsRight() throws Exception {
      assertError(get("/secret", "X-API-Key", "wrong", "X-API-Key", API_KEY), 401);
      assertError(get("/secret", "X-API-Key", API_KEY, "X-API-Key", API_KEY), 401);
    }

    @Test
    void countsRejectionsByReason() {
      double missingBefore = authFailures("missing");
      double invalidBefore = authFailures("invalid");

      get("/secret");
      get("/secret", "X-API-Key", "nope");
      get("/secret", "X-API-Key", "nope");
      get("/secret", "X-API-Key", API_KEY);

      // counted before the 401 is returned: no wait needed
      assertThat(authFailures("missing")).isEqualTo(missingBefore + 1);
      assertThat(authFailures("invalid")).isEqualTo(invalidBefore + 2);
    }

    private double authFailures(String reason) {
      return PrometheusText.samples(scrape(), "greeter_secret_auth_failures_total").stream()
          .filter(s -> reason.equals(s.labels().get("reason")))
          .mapToDouble(Sample::value)
          .sum();
    }
  }

  @Nested
  class TimeInAZone {

    @Test
    void asksTimezones() throws Exception {
      HttpResponse<String> response = get("/time?zone=Asia/Kolkata");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = json(response);
      assertThat(body.get("zone").asText()).isEqualTo("Asia/Kolkata");
      assertThat(body.get("offset").asText()).isEqualTo("+05:30");
      assertThat(body.get("time").asText()).isEqualTo("2026-01-15T17:30:00+05:30");
    }

    @Test
    void passesZonesWithAPlusSignThrough() throws Exception {
      assertThat(get("/time?zone=Etc/GMT%2B5").statusCode()).isEqualTo(200);
    }

    @Test
    void forwardsTheRequestIdAndTraceHeaders() {
      TIMEZONES.receivedHeaders().clear();

      get(
          "/time?zone=Asia/Kolkata",
          "X-Request-Id",
          "req-42",
          "traceparent",
          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          "b3",
          "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1",
          "x-b3-traceid",
          "80f198ee56343ba864fe8b2a57d3eff7");

      assertThat(TIMEZONES.receivedHeaders())
          .singleElement()
          .satisfies(
              headers -> {
                assertThat(headers.get("X-request-id")).containsExactly("req-42");
                assertThat(headers.get("Traceparent"))
                    .containsExactly("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                assertThat(headers.get("B3"))
                    .containsExactly("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1");
                assertThat(headers.get("X-b3-traceid"))
                    .containsExactly("80f198ee56343ba864fe8b2a57d3eff7");
              });
    }

    @Test
    void anUnknownZoneIsA404() throws Exception {
      assertError(get("/time?zone=Nowhere/City"), 404);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "?zone=",
          "?zone=../../etc/passwd",
          "?zone=Asia/Kolkata%0D%0AX:1",
          "?zone=a/b/c/d/e/f"
        })
    void aMissingOrMalformedZoneIsA400(String query) throws Exception {
      assertError(get("/time" + query), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Garbage/Zone", "Broken/Zone"})
    void aBadAnswerFromTimezonesIsA503(String zone) throws Exception {
      assertError(get("/time?zone=" + zone), 503);
    }

    @Test
    void aRedirectFromTimezonesIsA503AndIsNeverFollowed() throws Exception {
      TIMEZONES.receivedHeaders().clear();

      assertError(get("/time?zone=Moved/Zone"), 503);
      assertThat(TIMEZONES.receivedHeaders()).as("calls timezones received").hasSize(1);
    }

    @Test
    void callsToTimezonesAreTimedInTheExportedMetrics() {
      String timer = "org_apache_hc_client5_http_classic_HttpClient_timezones_get_requests_count";
      double before =
          PrometheusText.samples(scrape(), timer).stream().mapToDouble(Sample::value).sum();

      get("/time?zone=Asia/Kolkata");
      get("/time?zone=Nowhere/City");

      String metrics =
          PrometheusText.scrapeUntil(
              "http://127.0.0.1:" + APP.getAdminPort() + "/prometheus",
              text ->
                  PrometheusText.samples(text, timer).stream().mapToDouble(Sample::value).sum()
                      >= before + 2);
      assertThat(PrometheusText.samples(metrics, timer))
          .singleElement()
          .satisfies(s -> assertThat(s.value()).isGreaterThanOrEqualTo(before + 2));
      assertThat(
              PrometheusText.samples(
                  metrics,
                  "org_apache_hc_client5_http_io_HttpClientConnectionManager_timezones_leased_connections"))
          .as("the client's pool gauges")
          .hasSize(1);
    }

    @Test
    void aSlowTimezonesIsA503WithinTheTimeout() throws Exception {
      long start = System.nanoTime();
      HttpResponse<String> response = get("/time?zone=Slow/Zone");
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertError(response, 503);
      assertThat(took).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(TIMEOUT.plus(SLACK));
    }
  }

  @Nested
  class Errors {

    @ParameterizedTest
    @ValueSource(strings = {"/nope", "/secret/x", "/time/now", "/..%2fadmin"})
    void areJsonNeverHtml(String path) throws Exception {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).isBetween(400, 499);
      assertThat(json(response).get("code").asInt()).isEqualTo(response.statusCode());
    }

    @Test
    void aPostIsA405Json() throws Exception {
      assertError(Http.request("POST", "http://127.0.0.1:" + APP.getLocalPort() + "/secret"), 405);
    }
  }

  @Nested
  class Metrics {

    @Test
    void theHistogramIsLabelledByRouteTemplateAndStatus() {
      get("/");
      get("/secret");
      get("/time?zone=Asia/Kolkata");
      for (int i = 0; i < 5; i++) {
        get("/random/" + i + "/" + System.nanoTime());
      }

      String metrics =
          PrometheusText.scrapeUntil(
              "http://127.0.0.1:" + APP.getAdminPort() + "/prometheus",
              text -> text.contains("UNMATCHED") && text.contains("route=\"/time\""));
      List<Sample> counts = PrometheusText.samples(metrics, "http_server_requests_seconds_count");

      assertThat(counts)
          .extracting(s -> s.labels().get("route"))
          .isSubsetOf("/", "/secret", "/time", "UNMATCHED")
          .contains("/", "/secret", "/time", "UNMATCHED");
      assertThat(counts)
          .extracting(Sample::labels)
          .contains(Map.of("method", "GET", "route", "/secret", "status", "401"))
          .contains(Map.of("method", "GET", "route", "/time", "status", "200"));
      assertThat(counts)
          .filteredOn(s -> s.labels().get("route").equals("UNMATCHED"))
          .extracting(Sample::value)
          .allSatisfy(v -> assertThat(v).isGreaterThan(0));
    }

    @Test
    void unknownMethodsAreRejectedAndNeverBecomeALabel() throws Exception {
      assertError(Http.request("BREW", "http://127.0.0.1:" + APP.getLocalPort() + "/"), 405);
      assertError(Http.request("PROPFIND", "http://127.0.0.1:" + APP.getLocalPort() + "/"), 405);
      double greetingsBefore = count("/");
      get("/");

      String metrics =
          PrometheusText.scrapeUntil(
              "http://127.0.0.1:" + APP.getAdminPort() + "/prometheus",
              text -> countIn(text, "/") > greetingsBefore);

      assertThat(PrometheusText.samples(metrics, "http_server_requests_seconds_count"))
          .extracting(s -> s.labels().get("method"))
          .isSubsetOf("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER");
    }

    private double count(String route) {
      return countIn(scrape(), route);
    }

    private double countIn(String metrics, String route) {
      return PrometheusText.samples(metrics, "http_server_requests_seconds_count").stream()
          .filter(s -> route.equals(s.labels().get("route")))
          .mapToDouble(Sample::value)
          .sum();
    }
  }

  static String scrape() {
    return Http.get("http://127.0.0.1:" + APP.getAdminPort() + "/prometheus").body();
  }
}
