package com.example.common;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
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
    return header != null && WELL_FORMED.matcher(header).matches()
        ? header
        : UUID.randomUUID().toString();
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
