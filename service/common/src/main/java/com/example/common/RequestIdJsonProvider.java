package com.example.common;

import ch.qos.logback.access.common.spi.IAccessEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.composite.AbstractJsonProvider;

/**
 * Writes the access log's {@code request_id} from the response header that {@link RequestIdFilter}
 * set, and leaves the field out for requests Jetty rejected before the filter ran (a pattern would
 * print the string "null" there).
 */
final class RequestIdJsonProvider extends AbstractJsonProvider<IAccessEvent> {

  @Override
  public void writeTo(JsonGenerator generator, IAccessEvent event) throws IOException {
    String id = event.getResponseHeader(RequestIdFilter.HEADER);
    if (id != null && !id.isEmpty() && !"-".equals(id) && !"null".equals(id)) {
      generator.writeStringField(RequestIdFilter.MDC_KEY, id);
    }
  }
}
