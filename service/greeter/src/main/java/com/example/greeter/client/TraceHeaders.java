package com.example.greeter.client;

import com.example.common.logging.RequestIdFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * The headers that tie a downstream call to the request that caused it: the request id and the W3C
 * / B3 trace context that Envoy needs propagated to join spans into one trace.
 */
public final class TraceHeaders {

  static final List<String> PROPAGATED =
      List.of(
          "traceparent",
          "tracestate",
          "b3",
          "x-b3-traceid",
          "x-b3-spanid",
          "x-b3-parentspanid",
          "x-b3-sampled",
          "x-b3-flags",
          "x-ot-span-context");

  private TraceHeaders() {}

  /** The headers to forward, read from the incoming request by {@code header}. */
  public static Map<String, String> from(Function<String, String> header) {
    Map<String, String> forwarded = new LinkedHashMap<>();
    String requestId = MDC.get(RequestIdFilter.MDC_KEY);
    if (requestId != null) {
      forwarded.put(RequestIdFilter.HEADER.toLowerCase(java.util.Locale.ROOT), requestId);
    }
    for (String name : PROPAGATED) {
      String value = header.apply(name);
      if (value != null && !value.isEmpty() && value.length() <= 1024) {
        forwarded.put(name, value);
      }
    }
    return forwarded;
  }
}
