package com.example.common;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import jakarta.validation.constraints.NotEmpty;
import java.util.TimeZone;
import net.logstash.logback.composite.JsonProviders;
import net.logstash.logback.composite.accessevent.AccessEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.accessevent.AccessEventPatternJsonProvider;
import net.logstash.logback.layout.AccessEventCompositeJsonLayout;

/**
 * Access log lines as JSON with the same core fields as the application log, so one Loki query
 * reads both. Only the path is logged (never the query string) and no request header but the user
 * agent: credentials such as {@code X-API-Key} cannot reach the log.
 */
@JsonTypeName("logstash-access")
public class LogstashAccessLayoutFactory implements DiscoverableLayoutFactory<IAccessEvent> {

  @NotEmpty @JsonProperty private String service = "unknown";
  @NotEmpty @JsonProperty private String version = "dev";

  @Override
  public LayoutBase<IAccessEvent> build(LoggerContext context, TimeZone timeZone) {
    AccessEventFormattedTimestampJsonProvider timestamp =
        new AccessEventFormattedTimestampJsonProvider();
    timestamp.setTimeZone(timeZone.getID());
    AccessEventPatternJsonProvider fields = new AccessEventPatternJsonProvider();
    fields.setPattern(pattern(service, version));

    JsonProviders<IAccessEvent> providers = new JsonProviders<>();
    providers.addProvider(timestamp);
    providers.addProvider(fields);
    providers.addProvider(new RequestIdJsonProvider());
    AccessEventCompositeJsonLayout layout = new AccessEventCompositeJsonLayout();
    layout.setContext(context);
    layout.setProviders(providers);
    layout.setLineSeparator("\n");
    return layout;
  }

  static String pattern(String service, String version) {
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("level", "INFO");
    json.put("logger_name", "http.request");
    json.put("message", "%requestMethod %requestURI %statusCode");
    json.put("service", escapePercent(service));
    json.put("version", escapePercent(version));
    json.put("method", "%requestMethod");
    json.put("uri", "%requestURI");
    json.put("protocol", "%protocol");
    json.put("status_code", "#asLong{%statusCode}");
    json.put("elapsed_time", "#asLong{%elapsedTime}");
    json.put("bytes_sent", "#asLong{%bytesSent}");
    json.put("remote_ip", "%remoteIP");
    json.put("user_agent", "%i{User-Agent}");
    return json.toString();
  }

  private static String escapePercent(String value) {
    return value.replace("\\", "\\\\").replace("%", "\\%");
  }
}
