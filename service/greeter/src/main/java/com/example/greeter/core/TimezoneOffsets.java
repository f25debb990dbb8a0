package com.example.greeter.core;

import java.time.DateTimeException;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads {@code TIMEZONE_OFFSET}: {@code +05:30}, {@code -03:00}, {@code +5}, {@code Z}. */
public final class TimezoneOffsets {

  private static final Pattern FORM = Pattern.compile("Z|[+-]\\d{1,2}(:\\d{2})?");

  private TimezoneOffsets() {}

  public static Optional<ZoneOffset> parse(String text) {
    if (text == null || !FORM.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ZoneOffset.of(text));
    } catch (DateTimeException outOfRange) {
      return Optional.empty();
    }
  }
}
