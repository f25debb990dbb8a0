package com.example.greeter.reliability;

import com.example.common.testing.AppProcess;
import com.example.common.testing.Http;
import com.example.common.testing.PrometheusText;

/** What the reliability tests read of a running greeter: its metrics. */
final class Greeters {

  private Greeters() {}

  /** The sum of every sample of {@code name} on the app's {@code /prometheus}. */
  static double metric(AppProcess app, String name) {
    return PrometheusText.samples(Http.get(app.adminUrl("/prometheus")).body(), name).stream()
        .mapToDouble(PrometheusText.Sample::value)
        .sum();
  }

  /** Busy threads of the application's Jetty pool: its size times its utilization. */
  static double busyJettyThreads(AppProcess app) {
    String exposition = Http.get(app.adminUrl("/prometheus")).body();
    double size = single(exposition, "org_eclipse_jetty_util_thread_QueuedThreadPool_dw_size");
    double utilization =
        single(exposition, "org_eclipse_jetty_util_thread_QueuedThreadPool_dw_utilization");
    return Math.round(size * utilization);
  }

  /**
   * Live JVM threads that are not in the application's Jetty pool, from one scrape so that both
   * counts see the same instant. Jetty's pool grows and shrinks on its own (up to its maxThreads,
   * idle threads retired after its idle timeout); every other thread of the process is one greeter
   * started itself: its HTTP client, executors, timers.
   */
  static double threadsOutsideJettyPool(AppProcess app) {
    String exposition = Http.get(app.adminUrl("/prometheus")).body();
    return single(exposition, "jvm_threads_current")
        - single(exposition, "org_eclipse_jetty_util_thread_QueuedThreadPool_dw_size");
  }

  static double single(String exposition, String name) {
    var samples = PrometheusText.samples(exposition, name);
    if (samples.size() != 1) {
      throw new IllegalStateException(name + ": expected one sample, got " + samples);
    }
    return samples.get(0).value();
  }

  /** One figure for the report, on the test's stdout (kept in target/failsafe-reports). */
  static void figure(String name, Object value) {
    System.out.println("[reliability] " + name + ": " + value);
  }
}
