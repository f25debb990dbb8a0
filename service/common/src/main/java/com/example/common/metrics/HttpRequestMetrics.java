package com.example.common.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Records {@code http_server_requests_seconds} for every request Jersey handles, labelled by
 * method, route template and status. Labels only take values from a closed set (known methods, the
 * application's templates, {@code UNMATCHED}, status codes), so no request can grow the number of
 * series. The route of a resource method is built once, on its first request, and then read from a
 * map keyed by the method: building it copies and reverses the matched templates and runs two
 * regular expressions, too much for every request.
 */
public final class HttpRequestMetrics implements ApplicationEventListener {

  public static final String NAME = "http_server_requests_seconds";
  public static final String UNMATCHED = "UNMATCHED";

  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");
  private static final Pattern TEMPLATE_REGEX = Pattern.compile("\\{\\s*(\\w+)\\s*:[^}]*}");
  private static final Pattern REPEATED_SLASHES = Pattern.compile("/{2,}");

  private final Histogram histogram;
  private final Map<ResourceMethod, String> routes = new ConcurrentHashMap<>();

  public HttpRequestMetrics(PrometheusRegistry registry) {
    this.histogram =
        Histogram.builder()
            .name(NAME)
            .help("Duration of HTTP requests served, by method, route template and status.")
            .labelNames("method", "route", "status")
            .classicOnly()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10)
            .register(registry);
  }

  @Override
  public void onEvent(ApplicationEvent event) {}

  @Override
  public RequestEventListener onRequest(RequestEvent start) {
    long startNanos = System.nanoTime();
    return event -> {
      if (event.getType() == RequestEvent.Type.FINISHED) {
        int status =
            event.getContainerResponse() == null ? 500 : event.getContainerResponse().getStatus();
        histogram
            .labelValues(
                method(event.getContainerRequest().getMethod()),
                routeOf(event.getUriInfo()),
                Integer.toString(status))
            .observe((System.nanoTime() - startNanos) / 1e9);
      }
    };
  }

  static String method(String method) {
    return KNOWN_METHODS.contains(method) ? method : "OTHER";
  }

  private String routeOf(ExtendedUriInfo uriInfo) {
    ResourceMethod method = uriInfo.getMatchedResourceMethod();
    if (method == null) {
      return UNMATCHED;
    }
    // A method reached through a sub-resource locator can sit under several paths: not cached.
    return uriInfo.getMatchedResourceLocators().isEmpty()
        ? routes.computeIfAbsent(method, m -> route(uriInfo))
        : route(uriInfo);
  }

  static String route(ExtendedUriInfo uriInfo) {
    if (uriInfo.getMatchedResourceMethod() == null) {
      return UNMATCHED;
    }
    List<UriTemplate> templates = new ArrayList<>(uriInfo.getMatchedTemplates());
    Collections.reverse(templates);
    StringBuilder route = new StringBuilder();
    for (UriTemplate template : templates) {
      route.append('/').append(template.getTemplate());
    }
    String normalized = REPEATED_SLASHES.matcher(route).replaceAll("/");
    normalized = TEMPLATE_REGEX.matcher(normalized).replaceAll("{$1}");
    if (normalized.length() > 1 && normalized.endsWith("/")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    return normalized;
  }
}
