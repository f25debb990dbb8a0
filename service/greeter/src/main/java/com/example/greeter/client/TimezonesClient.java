package com.example.greeter.client;

import com.example.greeter.api.ZoneTime;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.client.HttpClientBuilder;
import io.dropwizard.core.setup.Environment;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls timezones with Dropwizard's HTTP client: the timeouts of {@link
 * TimezonesClientConfiguration} bound what a dead, hung or slow timezones costs greeter, redirects
 * are never followed, and the client's request timers and pool gauges land in the metric registry
 * ({@code org.apache.hc.client5.http.classic.HttpClient.timezones.get-requests}, {@code
 * org.apache.hc.client5.http.io.HttpClientConnectionManager.timezones.*}), which {@code
 * /prometheus} exports.
 */
public class TimezonesClient {

  private static final Logger LOG = LoggerFactory.getLogger(TimezonesClient.class);

  private final CloseableHttpClient http;
  private final URI baseUrl;
  private final ObjectMapper mapper;

  TimezonesClient(CloseableHttpClient http, URI baseUrl, ObjectMapper mapper) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.mapper = mapper;
  }

  /** A client managed by {@code environment}'s lifecycle, its metrics in its registry. */
  public static TimezonesClient build(
      TimezonesClientConfiguration configuration, Environment environment) {
    CloseableHttpClient http =
        new HttpClientBuilder(environment) {
          @Override
          protected org.apache.hc.client5.http.impl.classic.HttpClientBuilder customizeBuilder(
              org.apache.hc.client5.http.impl.classic.HttpClientBuilder builder) {
            // A redirect from timezones is an error: never followed to wherever it points.
            return builder.disableRedirectHandling();
          }
        }.using(configuration).build("timezones");
    return new TimezonesClient(http, configuration.getUrl(), environment.getObjectMapper());
  }

  /**
   * The time in {@code zone}, or empty when timezones does not know the zone.
   *
   * @param zone a zone id already checked to hold only path-safe characters
   */
  public Optional<ZoneTime> timeIn(String zone, Map<String, String> forwardedHeaders) {
    HttpGet request = new HttpGet(URI.create(baseUrl + "/timezones/" + zone));
    request.setHeader("Accept", "application/json");
    forwardedHeaders.forEach(request::setHeader);
    long start = System.nanoTime();
    try {
      return http.execute(
          request,
          response -> {
            LOG.debug(
                "timezones answered {} for {} in {} ms",
                response.getCode(),
                zone,
                (System.nanoTime() - start) / 1_000_000);
            return answer(response);
          });
    } catch (IOException e) {
      throw new TimezonesUnavailableException(
          "timezones unreachable: " + e.getClass().getSimpleName(), e);
    }
  }

  private Optional<ZoneTime> answer(ClassicHttpResponse response) throws IOException {
    if (response.getCode() == 404) {
      return Optional.empty();
    }
    if (response.getCode() != 200) {
      throw new TimezonesUnavailableException(
          "timezones answered HTTP " + response.getCode(), null);
    }
    try {
      return Optional.of(parse(EntityUtils.toString(response.getEntity())));
    } catch (ParseException e) {
      throw new TimezonesUnavailableException("timezones answered an unreadable body", e);
    }
  }

  private ZoneTime parse(String body) {
    try {
      ZoneTime time = mapper.readValue(body, ZoneTime.class);
      if (time == null || time.zone() == null || time.time() == null || time.offset() == null) {
        throw new TimezonesUnavailableException("timezones answered an incomplete body", null);
      }
      return time;
    } catch (JsonProcessingException e) {
      throw new TimezonesUnavailableException("timezones answered a body that is not JSON", e);
    }
  }
}
