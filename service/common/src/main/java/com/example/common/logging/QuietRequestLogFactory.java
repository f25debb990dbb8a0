package com.example.common.logging;

import ch.qos.logback.access.jetty.RequestLogImpl;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import org.eclipse.jetty.server.RequestLog;

/**
 * Dropwizard's logback-access request log, started quietly. Otherwise logback-access prints its
 * start-up status ("Found logback-access-jetty12 version ...") as plain text on stdout, breaking
 * the one-JSON-object-a-line stream the log shipper parses; Dropwizard has no setting for it.
 */
@JsonTypeName("quiet-logback-access")
public class QuietRequestLogFactory extends LogbackAccessRequestLogFactory {

  @Override
  public RequestLog build(String name) {
    RequestLog log = super.build(name);
    if (log instanceof RequestLogImpl logbackAccess) {
      logbackAccess.setQuiet(true);
    }
    return log;
  }
}
