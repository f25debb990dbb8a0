package com.example.common.errors;

import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.jersey.validation.ConstraintMessage;
import io.dropwizard.jersey.validation.JerseyViolationException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.stream.Collectors;

/**
 * Invalid parameters as {@code {"code":400,"message":...}}, the one error shape of the API, instead
 * of Dropwizard's {@code {"errors":[...]}}.
 */
@Priority(1)
public class ValidationErrorMapper implements ExceptionMapper<JerseyViolationException> {

  @Override
  public Response toResponse(JerseyViolationException exception) {
    int status =
        ConstraintMessage.determineStatus(
            exception.getConstraintViolations(), exception.getInvocable());
    String message =
        exception.getConstraintViolations().stream()
            .map(violation -> ConstraintMessage.getMessage(violation, exception.getInvocable()))
            .sorted()
            .collect(Collectors.joining("; "));
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorMessage(status, message))
        .build();
  }
}
