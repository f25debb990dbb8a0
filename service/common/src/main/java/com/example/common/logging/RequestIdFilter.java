package com.example.common.logging;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Gives every request an id: the caller's {@code x-request-id} (set by NGINX or Envoy) when it is
 * well-formed, else a new UUID. The id goes into the logging MDC, the response header (which the
 * access log reads) and is forwarded to downstream calls.
 */
public final class RequestIdFilter implements Filter {

  public static final String HEADER = "X-Request-Id";
  public static final String MDC_KEY = "request_id";

  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  public static String idFrom(String header) {
    return header != null && WELL_FORMED.matcher(header).matches() ? header : newId();
  }

  /**
   * A random UUID-shaped id. It only correlates log lines, so it comes from {@link
   * ThreadLocalRandom}: {@link UUID#randomUUID()} draws from a shared {@code SecureRandom}, a lock
   * every request thread would queue on.
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String id = idFrom(((HttpServletRequest) request).getHeader(HEADER));
    ((HttpServletResponse) response).setHeader(HEADER, id);
    MDC.put(MDC_KEY, id);
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(MDC_KEY);
    }
  }
}
