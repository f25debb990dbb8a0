package com.example.common;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;

/**
 * Replaces {@code ${NAME}} / {@code ${NAME:-default}} in the YAML configuration with the
 * environment variable's value written as a JSON string literal (JSON is valid YAML). A value such
 * as {@code a: "b" # c} therefore reaches the application unchanged instead of breaking or silently
 * reshaping the document, and {@code yes}/{@code 0123} stay strings.
 */
public final class JsonQuotingEnvironmentSubstitutor extends StringSubstitutor {

  public JsonQuotingEnvironmentSubstitutor() {
    this(System.getenv());
  }

  public JsonQuotingEnvironmentSubstitutor(Map<String, String> environment) {
    super(
        name -> {
          String value = environment.get(name);
          return value == null ? null : quote(value);
        });
    setEnableUndefinedVariableException(false);
  }

  static String quote(String value) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
  }
}
