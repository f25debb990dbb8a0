package com.example.greeter;

import static com.example.greeter.FakeTimezones.Behaviour.SLOW;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import com.example.common.testing.Http;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with a request in flight: readiness turns 503 while the server still serves, the
 * in-flight request completes, and the process exits within the grace period.
 */
class GracefulShutdownIT {

  static final Duration WAIT = Duration.ofSeconds(4);

  @Test
  void drainsInFlightRequestsAfterReadinessTurns503() throws Exception {
    try (FakeTimezones timezones = new FakeTimezones().on("Slow/Zone", SLOW).slowFor(2500)) {
      Map<String, String> env = GreeterEnvironment.valid(timezones.url());
      // 4 s: time on a busy machine to see readiness turn and still get a request served.
      env.put("SHUTDOWN_WAIT_PERIOD", WAIT.toMillis() + "ms");
      env.put("SHUTDOWN_GRACE_PERIOD", "10s");
      env.put("TIMEZONES_REQUEST_TIMEOUT", "5s");

      try (AppProcess app = AppProcess.start(env).awaitStarted(AppProcess.START_TIMEOUT)) {
        assertThat(Http.get(app.adminUrl("/ready")).statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> inFlight =
            CompletableFuture.supplyAsync(() -> Http.get(app.url("/time?zone=Slow/Zone")));
        AppProcess.sleep(300);

        long terminatedAt = System.nanoTime();
        app.terminate();

        assertThat(awaitReadiness(app, 503))
            .as("readiness turned 503 while still serving")
            .isTrue();
        assertThat(Http.get(app.url("/")).statusCode())
            .as("new requests are still served during the wait period")
            .isEqualTo(200);
        HttpResponse<String> drained = inFlight.get();
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(drained.body()).contains("\"zone\":\"Slow/Zone\"");

        int exit = app.awaitExit(Duration.ofSeconds(20));
        Duration tookToExit = Duration.ofNanos(System.nanoTime() - terminatedAt);
        assertThat(exit).as("128 + SIGTERM, after the shutdown hooks completed").isEqualTo(143);
        assertThat(tookToExit).isLessThan(WAIT.plusSeconds(10));
      }
    }
  }

  private static boolean awaitReadiness(AppProcess app, int status) {
    // Within 3 s of SIGTERM (the JVM starting its shutdown hooks), well inside the wait period.
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (Http.get(app.adminUrl("/ready")).statusCode() == status) {
        return true;
      }
      AppProcess.sleep(50);
    }
    return false;
  }
}
