package com.example.common.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of the Prometheus text exposition format, for assertions. */
public final class PrometheusText {

  /** One sample: its metric name, labels and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private PrometheusText() {}

  /**
   * Scrapes until {@code ready} holds for the exposition (at most 10 s), then returns it. A request
   * is recorded when Jersey finishes it, just after the client got its response, so a scrape
   * straight after a call may not show it yet.
   */
  public static String scrapeUntil(String url, java.util.function.Predicate<String> ready) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    String exposition = Http.get(url).body();
    while (!ready.test(exposition) && System.nanoTime() < deadline) {
      AppProcess.sleep(50);
      exposition = Http.get(url).body();
    }
    return exposition;
  }

  public static List<Sample> samples(String exposition, String name) {
    return exposition
        .lines()
        .filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(LINE::matcher)
        .filter(Matcher::matches)
        .filter(m -> m.group(1).equals(name))
        .map(m -> new Sample(m.group(1), labels(m.group(3)), Double.parseDouble(m.group(4))))
        .toList();
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text != null) {
      Matcher m = LABEL.matcher(text);
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
    }
    return labels;
  }
}
