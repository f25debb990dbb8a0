package com.example.common.lifecycle;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Admin {@code /ready}: 200 while the pod should receive traffic, 503 once shutdown began. */
public final class ReadinessServlet extends HttpServlet {

  private final transient ReadinessGate gate;

  public ReadinessServlet(ReadinessGate gate) {
    this.gate = gate;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    boolean ready = gate.isReady();
    response.setStatus(
        ready ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.getWriter().write(ready ? "{\"ready\":true}" : "{\"ready\":false}");
  }
}
