package com.example.greeter.resources;

import com.example.greeter.api.SecretMessage;
import com.example.greeter.core.ApiKeyVerifier;
import io.prometheus.metrics.core.metrics.Counter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

@Path("/secret")
@Produces(MediaType.APPLICATION_JSON)
public class SecretResource {

  public static final String API_KEY_HEADER = "X-API-Key";

  private final ApiKeyVerifier verifier;
  private final String secretMessage;
  private final Counter authFailures;

  public SecretResource(ApiKeyVerifier verifier, String secretMessage, Counter authFailures) {
    this.verifier = verifier;
    this.secretMessage = secretMessage;
    this.authFailures = authFailures;
  }

  @GET
  public SecretMessage secret(@Context HttpHeaders headers) {
    List<String> keys = headers.getRequestHeader(API_KEY_HEADER);
    if (!verifier.accepts(keys)) {
      authFailures.labelValues(keys == null || keys.isEmpty() ? "missing" : "invalid").inc();
      throw new NotAuthorizedException("missing or invalid API key", "ApiKey");
    }
    return new SecretMessage(secretMessage);
  }
}
