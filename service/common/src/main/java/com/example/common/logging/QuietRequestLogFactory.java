package com.example.common.logging;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.AppenderFactory;
import io.dropwizard.logging.common.filter.NullLevelFilterFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLog;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.request.logging.layout.LogbackAccessRequestLayoutFactory;
import io.prometheus.metrics.core.metrics.Counter;
import org.eclipse.jetty.server.RequestLog;
import org.slf4j.LoggerFactory;

/**
 * Dropwizard's logback-access request log, built as Dropwizard builds it but for two things. It
 * starts quietly: otherwise logback-access prints its start-up status ("Found
 * logback-access-jetty12 version ...") as plain text on stdout, breaking the one-JSON-object-a-line
 * stream the log shipper parses, and Dropwizard has no setting for it. And its appenders hand
 * events over through a {@link DroppingAccessEventAppender}, so no request thread ever waits for
 * stdout; the lines it drops are counted in {@link AccessLogDrops#NAME}.
 */
@JsonTypeName("quiet-logback-access")
public class QuietRequestLogFactory extends LogbackAccessRequestLogFactory {

  @JacksonInject(AccessLogDrops.INJECTION_KEY)
  private Counter dropped;

  @Override
  public RequestLog build(String name) {
    // As LogbackAccessRequestLogFactory.build: the "http.request" logger, not additive.
    Logger logger = (Logger) LoggerFactory.getLogger("http.request");
    logger.setAdditive(false);
    LoggerContext context = logger.getLoggerContext();
    LogbackAccessRequestLog requestLog = new LogbackAccessRequestLog();
    requestLog.setQuiet(true);
    for (AppenderFactory<IAccessEvent> appender : getAppenders()) {
      requestLog.addAppender(
          appender.build(
              context,
              name,
              new LogbackAccessRequestLayoutFactory(),
              new NullLevelFilterFactory<>(),
              () -> new DroppingAccessEventAppender(dropped)));
    }
    return requestLog;
  }
}
