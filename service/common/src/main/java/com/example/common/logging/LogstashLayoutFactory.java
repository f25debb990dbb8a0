package com.example.common.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import jakarta.validation.constraints.NotEmpty;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TimeZone;
import net.logstash.logback.layout.LogstashLayout;

/**
 * Application log lines as one JSON object each, from logstash-logback-encoder's {@link
 * LogstashLayout}: {@code @timestamp}, {@code level}, {@code logger_name}, {@code message}, {@code
 * thread_name}, the MDC (request id), and the {@code service} and {@code version} every line
 * carries. Dropwizard finds it as {@code layout: {type: logstash}}.
 */
@JsonTypeName("logstash")
public class LogstashLayoutFactory implements DiscoverableLayoutFactory<ILoggingEvent> {

  /**
   * Name of the value {@code ServiceBundle} injects into the configuration's reader: the
   * application's name, so one shared logging configuration serves every service.
   */
  public static final String SERVICE_NAME = "com.example.service-name";

  @NotEmpty
  @JsonProperty
  @JacksonInject(SERVICE_NAME)
  private String service;

  @NotEmpty @JsonProperty private String version = "dev";

  @Override
  public LayoutBase<ILoggingEvent> build(LoggerContext context, TimeZone timeZone) {
    LogstashLayout layout = new LogstashLayout();
    layout.setContext(context);
    layout.setTimeZone(timeZone.getID());
    layout.setIncludeContext(false);
    layout.setLineSeparator("\n");
    layout.setCustomFields(asJson(serviceFields(service, version)));
    return layout;
  }

  static Map<String, String> serviceFields(String service, String version) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("service", service);
    fields.put("version", version);
    return fields;
  }

  /** The fields of all maps, in order, as one JSON object (values escaped). */
  @SafeVarargs
  static String asJson(Map<String, String>... maps) {
    Map<String, String> all = new LinkedHashMap<>();
    for (Map<String, String> map : maps) {
      all.putAll(map);
    }
    try {
      return new ObjectMapper().writeValueAsString(all);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
