package com.example.greeter.client;

import com.example.greeter.api.ZoneTime;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls timezones over HTTP with a connect timeout and a timeout on the whole call, so a dead, hung
 * or slow timezones costs greeter at most that long per request.
 */
public class TimezonesClient {

  private static final Logger LOG = LoggerFactory.getLogger(TimezonesClient.class);

  private final HttpClient http;
  private final URI baseUrl;
  private final java.time.Duration requestTimeout;
  private final ObjectMapper mapper;

  public TimezonesClient(TimezonesClientConfiguration configuration, ObjectMapper mapper) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(
                java.time.Duration.ofMillis(configuration.getConnectTimeout().toMilliseconds()))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.baseUrl = configuration.getUrl();
    this.requestTimeout =
        java.time.Duration.ofMillis(configuration.getRequestTimeout().toMilliseconds());
    this.mapper = mapper;
  }

  /**
   * The time in {@code zone}, or empty when timezones does not know the zone.
   *
   * @param zone a zone id already checked to hold only path-safe characters
   */
  public Optional<ZoneTime> timeIn(String zone, Map<String, String> forwardedHeaders) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/timezones/" + zone))
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .GET();
    forwardedHeaders.forEach(request::header);
    long start = System.nanoTime();
    HttpResponse<String> response = send(request.build());
    LOG.debug(
        "timezones answered {} for {} in {} ms",
        response.statusCode(),
        zone,
        (System.nanoTime() - start) / 1_000_000);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new TimezonesUnavailableException(
          "timezones answered HTTP " + response.statusCode(), null);
    }
    return Optional.of(parse(response.body()));
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new TimezonesUnavailableException(
          "timezones unreachable: " + e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimezonesUnavailableException("interrupted while calling timezones", e);
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
