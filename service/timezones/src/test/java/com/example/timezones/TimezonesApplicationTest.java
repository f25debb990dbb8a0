package com.example.timezones;

import static com.example.common.testing.JsonResponses.json;
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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(DropwizardExtensionsSupport.class)
class TimezonesApplicationTest {

  static final DropwizardAppExtension<TimezonesConfiguration> APP =
      new DropwizardAppExtension<>(
          TimezonesApplication.class,
          ResourceHelpers.resourceFilePath("timezones.yml"),
          ConfigOverride.randomPorts());

  static HttpResponse<String> get(String path) {
    return Http.get("http://127.0.0.1:" + APP.getLocalPort() + path);
  }

  @Nested
  class ListingZones {

    @Test
    void listsZonesWithTheirOffsets() throws Exception {
      HttpResponse<String> response = get("/timezones");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode zones = json(response);
      assertThat(zones.size()).isGreaterThan(400);
      assertThat(zones.get(0).fieldNames()).toIterable().containsExactly("zone", "offset");
    }

    @Test
    void filtersByPrefix() throws Exception {
      JsonNode zones = json(get("/timezones?prefix=Asia/Kol"));

      assertThat(zones).hasSize(1);
      assertThat(zones.get(0).get("zone").asText()).isEqualTo("Asia/Kolkata");
      assertThat(zones.get(0).get("offset").asText()).isEqualTo("+05:30");
    }

    @Test
    void anUnmatchedPrefixIsAnEmptyList() throws Exception {
      assertThat(json(get("/timezones?prefix=Atlantis"))).isEmpty();
    }

    @Test
    void rejectsAnOverlongPrefixAsJson() throws Exception {
      HttpResponse<String> response = get("/timezones?prefix=" + "A".repeat(65));

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(json(response).get("code").asInt()).isEqualTo(400);
      assertThat(json(response).get("message").asText())
          .isEqualTo("query param prefix must be at most 64 characters");
    }
  }

  @Nested
  class OneZone {

    @Test
    void tellsTheTimeInAZoneWhoseIdHasSlashes() throws Exception {
      HttpResponse<String> response = get("/timezones/America/Argentina/Buenos_Aires");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = json(response);
      assertThat(body.get("zone").asText()).isEqualTo("America/Argentina/Buenos_Aires");
      assertThat(body.get("offset").asText()).isEqualTo("-03:00");
      assertThat(body.get("time").asText()).endsWith("-03:00");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"/timezones/Nowhere/City", "/timezones/UTC+1", "/timezones/asia/kolkata"})
    void anUnknownZoneIsA404Json(String path) throws Exception {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).isEqualTo(404);
      JsonNode body = json(response);
      assertThat(body.get("code").asInt()).isEqualTo(404);
      assertThat(body.get("message").asText()).isEqualTo("unknown time zone");
    }
  }

  @Nested
  class Errors {

    @ParameterizedTest
    @ValueSource(strings = {"/nothing-here", "/timezones/..%2f..%2fetc", "/timezones/%00"})
    void areJsonNeverHtml(String path) throws Exception {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).isBetween(400, 499);
      assertThat(json(response).get("code").asInt()).isEqualTo(response.statusCode());
      assertThat(response.body()).doesNotContainIgnoringCase("<html");
    }

    @Test
    void anUnsupportedMethodIsA405Json() throws Exception {
      HttpResponse<String> response =
          Http.request("DELETE", "http://127.0.0.1:" + APP.getLocalPort() + "/timezones");

      assertThat(response.statusCode()).isEqualTo(405);
      assertThat(json(response).get("code").asInt()).isEqualTo(405);
    }
  }

  @Nested
  class AdminPort {

    String admin(String path) {
      return "http://127.0.0.1:" + APP.getAdminPort() + path;
    }

    @Test
    void answersPingReadyAndHealthcheck() {
      assertThat(Http.get(admin("/ping")).statusCode()).isEqualTo(200);
      assertThat(Http.get(admin("/ready")).body()).isEqualTo("{\"ready\":true}");
      HttpResponse<String> health = Http.get(admin("/healthcheck"));
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"zone-rules\":{\"healthy\":true");
    }

    @Test
    void exportsRequestsByRouteTemplateNeverByRawPath() {
      get("/timezones/Europe/Paris");
      get("/timezones/Asia/Tokyo");
      get("/timezones/Nowhere/City");
      get("/no/such/path/" + System.nanoTime());

      String metrics =
          PrometheusText.scrapeUntil(admin("/prometheus"), text -> text.contains("UNMATCHED"));

      var counts = PrometheusText.samples(metrics, "http_server_requests_seconds_count");
      assertThat(counts)
          .extracting(Sample::labels)
          .extracting(labels -> labels.get("route"))
          .isSubsetOf("/timezones", "/timezones/{zone}", "UNMATCHED")
          .contains("/timezones/{zone}", "UNMATCHED");
      assertThat(counts)
          .filteredOn(s -> s.labels().get("route").equals("/timezones/{zone}"))
          .filteredOn(s -> s.labels().get("status").equals("200"))
          .singleElement()
          .satisfies(s -> assertThat(s.value()).isGreaterThanOrEqualTo(2));
      assertThat(PrometheusText.samples(metrics, "http_server_requests_seconds_bucket"))
          .anySatisfy(s -> assertThat(s.labels()).containsEntry("le", "0.3"));
    }

    @Test
    void exportsStandardJvmMetricsJettysAndNoDropwizardNoise() {
      get("/timezones/Europe/Paris");
      String metrics = Http.get(admin("/prometheus")).body();

      // The Prometheus Java client's JvmMetrics names, which stock JVM dashboards read.
      assertThat(PrometheusText.samples(metrics, "jvm_memory_used_bytes"))
          .extracting(s -> s.labels().get("area"))
          .contains("heap", "nonheap");
      assertThat(PrometheusText.samples(metrics, "jvm_threads_current")).hasSize(1);
      assertThat(metrics).contains("jvm_gc_collection_seconds_count{");
      assertThat(metrics).contains("org_eclipse_jetty_util_thread_QueuedThreadPool_dw_utilization");
      assertThat(PrometheusText.samples(metrics, "access_log_dropped_lines_total"))
          .singleElement()
          .satisfies(s -> assertThat(s.value()).isZero());
      // Dropwizard's own JVM gauges, logback's appender counters, the health-check pool.
      assertThat(metrics)
          .doesNotContain("jvm_memory_heap_used")
          .doesNotContain("ch_qos_logback_core_Appender")
          .doesNotContain("TimeBoundHealthCheck");
    }
  }
}
