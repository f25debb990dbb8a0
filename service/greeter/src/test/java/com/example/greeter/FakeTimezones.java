package com.example.greeter;

import com.example.common.testing.AppProcess;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for timezones on loopback whose behaviour a test chooses per zone: answer, be slow,
 * answer garbage, fail. Records the headers of every call it receives.
 */
final class FakeTimezones implements AutoCloseable {

  enum Behaviour {
    ANSWER,
    SLOW,
    GARBAGE,
    SERVER_ERROR,
    NOT_FOUND,
    /** 302 to {@code /timezones/Asia/Kolkata}, which answers. */
    REDIRECT
  }

  private final HttpServer server;
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final List<Map<String, List<String>>> receivedHeaders = new CopyOnWriteArrayList<>();
  private volatile long slowMillis = 3000;

  FakeTimezones() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/timezones/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  FakeTimezones on(String zone, Behaviour behaviour) {
    behaviours.put(zone, behaviour);
    return this;
  }

  FakeTimezones slowFor(long millis) {
    this.slowMillis = millis;
    return this;
  }

  List<Map<String, List<String>>> receivedHeaders() {
    return receivedHeaders;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String zone = exchange.getRequestURI().getPath().substring("/timezones/".length());
    receivedHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
    switch (behaviours.getOrDefault(zone, Behaviour.NOT_FOUND)) {
      case ANSWER -> respond(exchange, 200, answer(zone));
      case SLOW -> {
        AppProcess.sleep(slowMillis);
        respond(exchange, 200, answer(zone));
      }
      case GARBAGE -> respond(exchange, 200, "<html>surprise</html>");
      case SERVER_ERROR -> respond(exchange, 500, "{\"code\":500}");
      case NOT_FOUND -> respond(exchange, 404, "{\"code\":404,\"message\":\"unknown time zone\"}");
      case REDIRECT -> {
        exchange.getResponseHeaders().add("Location", "/timezones/Asia/Kolkata");
        respond(exchange, 302, "");
      }
    }
  }

  private static String answer(String zone) {
    return "{\"zone\":\""
        + zone
        + "\",\"time\":\"2026-01-15T17:30:00+05:30\",\"offset\":\"+05:30\"}";
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    try {
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (IOException callerGaveUp) {
      // greeter timed out and closed the connection: expected for SLOW
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
