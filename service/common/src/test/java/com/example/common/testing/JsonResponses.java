package com.example.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;

/** Assertions on the API's JSON answers, shared by both services' tests. */
public final class JsonResponses {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonResponses() {}

  /** The body as JSON, after checking that the response declares JSON. */
  public static JsonNode json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    try {
      return JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** An error in the API's one shape: {@code status}, and {@code {"code": status, "message"}}. */
  public static void assertError(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode body = json(response);
    assertThat(body.get("code").asInt()).isEqualTo(status);
    assertThat(body.get("message").asText()).isNotBlank();
  }
}
