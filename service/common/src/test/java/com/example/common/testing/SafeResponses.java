package com.example.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What every answer to bad input must be, and what the request metric's labels must stay. */
public final class SafeResponses {

  public static final Set<String> METHOD_LABELS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "OTHER");

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafeResponses() {}

  /**
   * Never a 5xx, never HTML; an error (unless the request was HEAD) has the JSON shape {@code
   * {"code": status, "message": ...}}.
   */
  public static void assertSafe(RawHttp.Response response, String method) {
    String all = response.all();
    assertThat(response.status()).as(all).isBetween(200, 499);
    response
        .header("Content-Type")
        .ifPresent(
            type -> assertThat(type.toLowerCase(Locale.ROOT)).as(all).doesNotContain("html"));
    assertThat(response.bodyText().stripLeading()).as(all).doesNotStartWith("<");
    if (response.status() >= 400 && !"HEAD".equals(method)) {
      assertThat(response.header("Content-Type"))
          .as(all)
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      JsonNode error;
      try {
        error = JSON.readTree(response.body());
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + all, e);
      }
      assertThat(error.path("code").asInt()).as(all).isEqualTo(response.status());
      assertThat(error.path("message").asText()).as(all).isNotBlank();
    }
  }

  /**
   * {@code http_server_requests_seconds} on {@code prometheusUrl} has series, each labelled only
   * method, route and status, from {@link #METHOD_LABELS}, {@code routes} and three-digit codes.
   */
  public static void assertRequestLabelsBounded(String prometheusUrl, Set<String> routes) {
    List<PrometheusText.Sample> counts =
        PrometheusText.samples(
            Http.get(prometheusUrl).body(), "http_server_requests_seconds_count");
    assertThat(counts).isNotEmpty();
    for (PrometheusText.Sample sample : counts) {
      assertThat(sample.labels().keySet()).containsExactlyInAnyOrder("method", "route", "status");
      assertThat(sample.labels().get("method")).isIn(METHOD_LABELS);
      assertThat(sample.labels().get("route")).isIn(routes);
      assertThat(sample.labels().get("status")).matches("[1-5][0-9][0-9]");
    }
    assertThat(counts.stream().map(s -> s.labels().get("status")).distinct().count())
        .as("distinct statuses")
        .isLessThanOrEqualTo(12);
  }
}
