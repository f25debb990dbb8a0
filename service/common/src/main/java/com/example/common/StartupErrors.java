package com.example.common;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationValidationException;
import jakarta.validation.ConstraintViolation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns whatever stopped start-up into one line an operator can act on: the variable or setting at
 * fault, never a stack trace.
 */
public final class StartupErrors {

  private StartupErrors() {}

  public static String describe(String service, Throwable error) {
    return service + ": cannot start: " + reason(error);
  }

  static String reason(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConfigurationValidationException invalid) {
        return invalid.getConstraintViolations().stream()
            .map(ConstraintViolation::getMessage)
            .sorted()
            .collect(Collectors.joining("; "));
      }
      if (cause instanceof ConfigurationException config) {
        return oneLine(config.getMessage());
      }
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ": " + oneLine(root.getMessage());
    return root.getClass().getSimpleName() + message;
  }

  /** Folds a multi-line message (Dropwizard's "has an error: * ..." lists) into one line. */
  private static String oneLine(String text) {
    List<String> lines = text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    if (lines.isEmpty()) {
      return "";
    }
    String details =
        lines.stream()
            .skip(1)
            .map(line -> line.startsWith("*") ? line.substring(1).strip() : line)
            .collect(Collectors.joining("; "));
    String folded = details.isEmpty() ? lines.get(0) : lines.get(0) + " " + details;
    return folded.length() <= 400 ? folded : folded.substring(0, 400) + "...";
  }
}
