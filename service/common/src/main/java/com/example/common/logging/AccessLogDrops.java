package com.example.common.logging;

import io.prometheus.metrics.core.metrics.Counter;

/** The counter of access log lines dropped because the access log's queue was full. */
public final class AccessLogDrops {

  /** The key under which {@link QuietRequestLogFactory} gets the counter injected. */
  public static final String INJECTION_KEY = "com.example.common.logging.AccessLogDrops";

  public static final String NAME = "access_log_dropped_lines_total";

  private AccessLogDrops() {}

  public static Counter counter() {
    return Counter.builder()
        .name(NAME)
        .help("Access log lines dropped, not written, because the access log's queue was full.")
        .build();
  }
}
