package com.example.common.logging;

import ch.qos.logback.access.common.spi.IAccessEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.composite.AbstractFieldJsonProvider;

/** Writes {@code remote_ip}: the request's client as {@link ClientAddress} resolves it. */
final class ClientAddressJsonProvider extends AbstractFieldJsonProvider<IAccessEvent> {

  private final ClientAddress clientAddress;

  ClientAddressJsonProvider(ClientAddress clientAddress) {
    this.clientAddress = clientAddress;
    setFieldName("remote_ip");
  }

  @Override
  public void writeTo(JsonGenerator generator, IAccessEvent event) throws IOException {
    generator.writeStringField(
        getFieldName(),
        clientAddress.of(event.getRemoteAddr(), event.getRequestHeader("X-Forwarded-For")));
  }
}
