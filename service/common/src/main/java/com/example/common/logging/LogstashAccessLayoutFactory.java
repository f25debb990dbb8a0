package com.example.common.logging;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import net.logstash.logback.composite.GlobalCustomFieldsJsonProvider;
import net.logstash.logback.composite.JsonProviders;
import net.logstash.logback.composite.accessevent.AccessEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.accessevent.AccessEventPatternJsonProvider;
import net.logstash.logback.composite.accessevent.ContentLengthJsonProvider;
import net.logstash.logback.composite.accessevent.ElapsedTimeJsonProvider;
import net.logstash.logback.composite.accessevent.MethodJsonProvider;
import net.logstash.logback.composite.accessevent.ProtocolJsonProvider;
import net.logstash.logback.composite.accessevent.RequestedUriJsonProvider;
import net.logstash.logback.composite.accessevent.StatusCodeJsonProvider;
import net.logstash.logback.layout.AccessEventCompositeJsonLayout;

/**
 * Access log lines as JSON with the core fields of the application log ({@code level}, {@code
 * logger_name: http.request}, {@code message}, {@code service}, {@code version}), so one Loki query
 * reads both, and the request's fields from logstash-logback-encoder's access-event providers:
 * {@code method}, {@code uri} (the path, never the query string), {@code protocol}, {@code
 * status_code}, {@code elapsed_time} (ms), {@code bytes_sent}, {@code remote_ip} (see {@link
 * ClientAddress}), {@code user_agent} (the only header logged) and {@code request_id} (left out
 * when Jetty rejected the request before {@link RequestIdFilter} ran). Dropwizard finds it as
 * {@code layout: {type: logstash-access}}.
 */
@JsonTypeName("logstash-access")
public class LogstashAccessLayoutFactory implements DiscoverableLayoutFactory<IAccessEvent> {

  @NotEmpty
  @JsonProperty
  @JacksonInject(LogstashLayoutFactory.SERVICE_NAME)
  private String service;

  @NotEmpty @JsonProperty private String version = "dev";

  /** Peers whose {@code X-Forwarded-For} names the client: the pod's Istio sidecar. */
  @NotNull @JsonProperty private List<String> trustedProxies = List.of("127.0.0.6", "::6");

  @Override
  public LayoutBase<IAccessEvent> build(LoggerContext context, TimeZone timeZone) {
    AccessEventFormattedTimestampJsonProvider timestamp =
        new AccessEventFormattedTimestampJsonProvider();
    timestamp.setTimeZone(timeZone.getID());

    Map<String, String> constants = new LinkedHashMap<>();
    constants.put("level", "INFO");
    constants.put("logger_name", "http.request");
    GlobalCustomFieldsJsonProvider<IAccessEvent> constantFields =
        new GlobalCustomFieldsJsonProvider<>();
    constantFields.setCustomFields(
        LogstashLayoutFactory.asJson(
            constants, LogstashLayoutFactory.serviceFields(service, version)));

    // #nullNA: logback-access prints "-" for an absent header; omitted instead.
    AccessEventPatternJsonProvider summary = new AccessEventPatternJsonProvider();
    summary.setOmitEmptyFields(true);
    summary.setPattern(
        "{\"message\": \"%requestMethod %requestURI %statusCode\","
            + " \"user_agent\": \"#nullNA{%i{User-Agent}}\","
            + " \"request_id\": \"#nullNA{%responseHeader{"
            + RequestIdFilter.HEADER
            + "}}\"}");

    RequestedUriJsonProvider uri = new RequestedUriJsonProvider();
    uri.setFieldName("uri");
    ContentLengthJsonProvider bytesSent = new ContentLengthJsonProvider();
    bytesSent.setFieldName("bytes_sent");

    JsonProviders<IAccessEvent> providers = new JsonProviders<>();
    providers.addProvider(timestamp);
    providers.addProvider(constantFields);
    providers.addProvider(summary);
    providers.addProvider(new MethodJsonProvider());
    providers.addProvider(uri);
    providers.addProvider(new ProtocolJsonProvider());
    providers.addProvider(new StatusCodeJsonProvider());
    providers.addProvider(new ElapsedTimeJsonProvider());
    providers.addProvider(bytesSent);
    providers.addProvider(new ClientAddressJsonProvider(new ClientAddress(trustedProxies)));

    AccessEventCompositeJsonLayout layout = new AccessEventCompositeJsonLayout();
    layout.setContext(context);
    layout.setProviders(providers);
    layout.setLineSeparator("\n");
    return layout;
  }
}
