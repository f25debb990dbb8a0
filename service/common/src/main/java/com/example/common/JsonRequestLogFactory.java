package com.example.common;

import ch.qos.logback.access.jetty.RequestLogImpl;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import org.eclipse.jetty.server.RequestLog;

/**
 * Dropwizard's logback-access request log, kept quiet: unquiet, logback-access prints its start-up
 * status as plain text on stdout, which would break the one-JSON-object-a-line stream that the log
 * shipper parses.
 */
@JsonTypeName("json-access")
public class JsonRequestLogFactory extends LogbackAccessRequestLogFactory {

  @Override
  public RequestLog build(String name) {
    RequestLog log = super.build(name);
    if (log instanceof RequestLogImpl logbackAccess) {
      logbackAccess.setQuiet(true);
    }
    return log;
  }
}
