package com.example.greeter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import com.example.common.testing.Http;
import com.example.greeter.GreeterEnvironment;
import com.example.greeter.reliability.FaultyTimezones.Mode;
import com.example.greeter.reliability.LoadGenerator.Target;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while a load generator keeps sending: every request greeter accepted gets its whole
 * response, readiness turns 503 before the listener closes, new connections are refused (not reset
 * half-way) once it has, and the process exits within its grace period. A request that arrives on a
 * connection accepted in the instant the listener closes may get Jetty's whole 503 (with {@code
 * Connection: close}, safe to retry); never before the wait period is over.
 */
class GracefulShutdownUnderLoadIT {

  /**
   * 3 s: the readiness watch must see the 503 before the listener closes, with its polls (HTTP
   * calls every 20 ms) slowed by a busy machine. Every other time check here is causal (an event
   * that cannot happen before another), so load only widens its margin.
   */
  static final Duration WAIT = Duration.ofSeconds(3);

  static final Duration GRACE = Duration.ofSeconds(5);
  static final Pattern ACCESS_ID = Pattern.compile("\"request_id\":\"(load-[0-9]+)\"");

  @Test
  void everyAcceptedRequestCompletesAcrossSigterm() throws Exception {
    try (FaultyTimezones timezones = new FaultyTimezones().mode(Mode.SLOW).delay(300)) {
      Map<String, String> env = GreeterEnvironment.valid(timezones.url());
      env.put("SHUTDOWN_WAIT_PERIOD", WAIT.toMillis() + "ms");
      env.put("SHUTDOWN_GRACE_PERIOD", GRACE.toSeconds() + "s");
      try (AppProcess greeter = AppProcess.start(env).awaitStarted(AppProcess.START_TIMEOUT)) {
        List<Target> targets =
            List.of(
                new Target("/", 200),
                new Target("/secret", 200, "X-API-Key", GreeterEnvironment.API_KEY),
                new Target("/secret", 401),
                new Target("/time?zone=Asia/Kolkata", 200));
        LoadGenerator load = new LoadGenerator(greeter.port, 6, "load-", targets).start();
        AppProcess.sleep(2000);
        int completedBeforeSigterm = load.completed.size();

        AtomicLong readyWent503 = new AtomicLong();
        Thread readinessWatch = watchReadiness(greeter, readyWent503);
        long terminatedAt = System.nanoTime();
        greeter.terminate();
        int exit = greeter.awaitExit(WAIT.plus(GRACE).plusSeconds(10));
        long exitedAt = System.nanoTime();
        AppProcess.sleep(300);
        load.stop();
        readinessWatch.join(5000);

        Set<String> servedIds = new HashSet<>();
        for (String line : greeter.stdout()) {
          Matcher m = ACCESS_ID.matcher(line);
          if (line.contains("\"logger_name\":\"http.request\"") && m.find()) {
            servedIds.add(m.group(1));
          }
        }
        Set<String> servedButNotCompleted = new HashSet<>(servedIds);
        servedButNotCompleted.removeAll(load.completed);
        servedButNotCompleted.removeAll(load.rejectedByGracefulStop.keySet());
        Set<String> resetAfterServing = new HashSet<>(load.closedBeforeResponse);
        resetAfterServing.retainAll(servedIds);

        Duration exitAfter = Duration.ofNanos(exitedAt - terminatedAt);
        Greeters.figure("shutdown: requests sent", load.sent.get());
        Greeters.figure("shutdown: completed", load.completed.size());
        Greeters.figure("shutdown: refused before accept", load.refused.get());
        Greeters.figure(
            "shutdown: closed before any response byte", load.closedBeforeResponse.size());
        Greeters.figure(
            "shutdown: whole 503 from Jetty's graceful stop", load.rejectedByGracefulStop.size());
        Greeters.figure("shutdown: failed after accept", load.failed.size());
        Greeters.figure("shutdown: max latency (ms)", load.maxLatencyMillis.get());
        Greeters.figure("shutdown: exit after SIGTERM (ms)", exitAfter.toMillis());

        assertThat(completedBeforeSigterm).as("load flowed before SIGTERM").isPositive();
        assertThat(exit).as("128 + SIGTERM, after the shutdown hooks ran").isEqualTo(143);
        assertThat(exitAfter).isLessThan(WAIT.plus(GRACE));
        assertThat(load.failed).as("responses cut short or with a wrong status").isEmpty();
        assertThat(servedButNotCompleted)
            .as("requests greeter logged as served without the client getting them whole")
            .isEmpty();
        assertThat(resetAfterServing).isEmpty();
        assertThat(servedIds)
            .as("the access log lists every request the client got whole")
            .containsAll(load.completed);
        long waitEnds = terminatedAt + WAIT.toNanos() - 100_000_000L;
        assertThat(load.rejectedByGracefulStop.values())
            .as("Jetty's 503 only once the wait period is over, never while ready or waiting")
            .allSatisfy(at -> assertThat(at).isGreaterThan(waitEnds));
        assertThat(load.closedBeforeResponse)
            .as("connections dropped without a response (not refused)")
            .isEmpty();
        assertThat(readyWent503.get()).as("readiness turned 503").isPositive();
        assertThat(load.firstRefusalNanos.get()).as("the listener closed").isPositive();
        assertThat(readyWent503.get())
            .as("readiness went 503 before the listener closed")
            .isLessThan(load.firstRefusalNanos.get());
        assertThat(load.lastCompletedNanos.get())
            .as("requests were still served after readiness went 503")
            .isGreaterThan(readyWent503.get());
        assertThat(Duration.ofNanos(load.firstRefusalNanos.get() - terminatedAt))
            .as("the listener stays open for the wait period")
            .isGreaterThanOrEqualTo(WAIT.minusMillis(100));
      }
    }
  }

  /** Polls {@code /ready} every 20 ms; records when it first answers 503. */
  private static Thread watchReadiness(AppProcess greeter, AtomicLong went503) {
    Thread watch =
        new Thread(
            () -> {
              while (greeter.isAlive() && went503.get() == 0) {
                try {
                  if (Http.get(greeter.adminUrl("/ready")).statusCode() == 503) {
                    went503.set(System.nanoTime());
                  }
                } catch (IllegalStateException closed) {
                  return;
                }
                AppProcess.sleep(20);
              }
            },
            "readiness-watch");
    watch.setDaemon(true);
    watch.start();
    return watch;
  }
}
