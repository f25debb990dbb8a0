package com.example.common;

import ch.qos.logback.access.common.spi.IAccessEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.composite.AbstractJsonProvider;

/**
 * The fields of an access log line, written straight from the event: a pattern provider would
 * render and re-parse a JSON template for every request, which made the access log the largest cost
 * of a request. Only the path is written (never the query string) and no header but the user agent;
 * {@code request_id} is left out for requests Jetty rejected before {@link RequestIdFilter} ran.
 */
final class AccessFieldsJsonProvider extends AbstractJsonProvider<IAccessEvent> {

  @Override
  public void writeTo(JsonGenerator generator, IAccessEvent event) throws IOException {
    String method = event.getMethod();
    String uri = event.getRequestURI();
    int status = event.getStatusCode();
    generator.writeStringField("message", method + " " + uri + " " + status);
    generator.writeStringField("method", method);
    generator.writeStringField("uri", uri);
    generator.writeStringField("protocol", event.getProtocol());
    generator.writeNumberField("status_code", status);
    generator.writeNumberField("elapsed_time", event.getElapsedTime());
    generator.writeNumberField("bytes_sent", Math.max(0, event.getContentLength()));
    generator.writeStringField("remote_ip", event.getRemoteAddr());
    writeIfPresent(generator, "user_agent", event.getRequestHeader("User-Agent"));
    writeIfPresent(
        generator, RequestIdFilter.MDC_KEY, event.getResponseHeader(RequestIdFilter.HEADER));
  }

  private static void writeIfPresent(JsonGenerator generator, String field, String value)
      throws IOException {
    if (value != null && !value.isEmpty() && !"-".equals(value) && !"null".equals(value)) {
      generator.writeStringField(field, value);
    }
  }
}
