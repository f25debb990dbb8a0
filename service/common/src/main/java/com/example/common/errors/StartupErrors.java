package com.example.common.errors;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationValidationException;
import jakarta.validation.ConstraintViolation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns whatever stopped start-up into one line an operator can act on: the environment variable at
 * fault, never a stack trace. Validation messages say what is wrong with a value; the variable (or,
 * for a setting no variable sets, the setting's path) is put in front of them from the map that the
 * configuration's {@code ${VAR}} placeholders define.
 */
public final class StartupErrors {

  private StartupErrors() {}

  /**
   * @param variables configuration paths (such as {@code server.adminConnectors[0].port}) to the
   *     environment variables that set them
   */
  public static String describe(String service, Throwable error, Map<String, String> variables) {
    return service + ": cannot start: " + reason(error, variables);
  }

  static String reason(Throwable error, Map<String, String> variables) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConfigurationValidationException invalid) {
        return invalid.getConstraintViolations().stream()
            .map(violation -> naming(violation, variables))
            .sorted()
            .collect(Collectors.joining("; "));
      }
      if (cause instanceof ConfigurationException config) {
        String message = oneLine(config.getMessage());
        return variableIn(message, variables)
            .map(variable -> variable + " has a value that cannot be read: " + message)
            .orElse(message);
      }
    }
    return chain(error);
  }

  private static String naming(ConstraintViolation<?> violation, Map<String, String> variables) {
    String setting = normalized(violation.getPropertyPath().toString());
    return variables.getOrDefault(setting, setting) + " " + violation.getMessage();
  }

  private static Optional<String> variableIn(String message, Map<String, String> variables) {
    String normalized = normalized(message);
    return variables.entrySet().stream()
        .filter(entry -> normalized.contains("at: " + entry.getKey()))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  /** Jackson writes {@code a.[0].b} where the validator writes {@code a[0].b}. */
  private static String normalized(String path) {
    return path.replace(".[", "[");
  }

  /** The outermost message, then the root cause's when it says more ("bind ...: in use"). */
  private static String chain(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootText = root.getClass().getSimpleName() + describedBy(root);
    if (root == error || error.getMessage() == null) {
      return rootText;
    }
    return oneLine(error.getMessage()) + " (" + rootText + ")";
  }

  private static String describedBy(Throwable error) {
    return error.getMessage() == null ? "" : ": " + oneLine(error.getMessage());
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
