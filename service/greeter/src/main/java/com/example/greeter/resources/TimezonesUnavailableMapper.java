package com.example.greeter.resources;

import com.example.greeter.client.TimezonesUnavailableException;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A failing dependency is a 503 for the caller, with the reason in greeter's log only. */
public class TimezonesUnavailableMapper implements ExceptionMapper<TimezonesUnavailableException> {

  private static final Logger LOG = LoggerFactory.getLogger(TimezonesUnavailableMapper.class);

  @Override
  public Response toResponse(TimezonesUnavailableException exception) {
    LOG.warn("timezones unavailable: {}", exception.getMessage());
    return Response.status(Response.Status.SERVICE_UNAVAILABLE)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorMessage(503, "timezones is unavailable, try again later"))
        .build();
  }
}
