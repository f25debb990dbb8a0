package com.example.common;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import jakarta.validation.constraints.NotEmpty;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TimeZone;
import net.logstash.logback.composite.GlobalCustomFieldsJsonProvider;
import net.logstash.logback.composite.JsonProviders;
import net.logstash.logback.composite.accessevent.AccessEventFormattedTimestampJsonProvider;
import net.logstash.logback.layout.AccessEventCompositeJsonLayout;

/**
 * Access log lines as JSON with the same core fields as the application log ({@code level}, {@code
 * logger_name}, {@code message}, {@code service}, {@code version}), so one Loki query reads both;
 * the request's own fields come from {@link AccessFieldsJsonProvider}.
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
    GlobalCustomFieldsJsonProvider<IAccessEvent> constants = new GlobalCustomFieldsJsonProvider<>();
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("level", "INFO");
    fields.put("logger_name", "http.request");
    constants.setCustomFields(
        LogstashLayoutFactory.asJson(
            fields, LogstashLayoutFactory.serviceFields(service, version)));

    JsonProviders<IAccessEvent> providers = new JsonProviders<>();
    providers.addProvider(timestamp);
    providers.addProvider(constants);
    providers.addProvider(new AccessFieldsJsonProvider());
    AccessEventCompositeJsonLayout layout = new AccessEventCompositeJsonLayout();
    layout.setContext(context);
    layout.setProviders(providers);
    layout.setLineSeparator("\n");
    return layout;
  }
}
