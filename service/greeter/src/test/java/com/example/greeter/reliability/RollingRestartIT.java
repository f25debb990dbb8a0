package com.example.greeter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.testing.AppProcess;
import com.example.common.testing.Http;
import com.example.greeter.GreeterEnvironment;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two greeter instances behind nginx, restarted one at a time (SIGTERM, wait for exit, start on the
 * same ports, wait until ready) while clients keep calling through nginx: not one failed request.
 * Each generation of an instance greets differently, so the clients see the new ones take over.
 */
class RollingRestartIT {

  static final Pattern MESSAGE = Pattern.compile("\"message\":\"([^\"]*)\"");

  @Test
  void rollingRestartBehindNginxFailsNoRequest() throws Exception {
    int[] app = {AppProcess.freePort(), AppProcess.freePort()};
    int[] admin = {AppProcess.freePort(), AppProcess.freePort()};
    try (FaultyTimezones timezones = new FaultyTimezones()) {
      AppProcess[] instances = new AppProcess[2];
      try {
        for (int i = 0; i < 2; i++) {
          instances[i] = start(timezones, i, 1, app[i], admin[i]);
        }
        for (AppProcess instance : instances) {
          instance.awaitStarted(AppProcess.START_TIMEOUT);
        }
        try (LocalNginx nginx = new LocalNginx(AppProcess.freePort(), List.of(app[0], app[1]))) {
          Clients clients = new Clients(nginx.port, 4);
          clients.awaitGreeting("instance-0 generation-1");
          clients.awaitGreeting("instance-1 generation-1");

          for (int i = 0; i < 2; i++) {
            long stopAt = System.nanoTime();
            instances[i].terminate();
            assertThat(instances[i].awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            instances[i] = start(timezones, i, 2, app[i], admin[i]);
            instances[i].awaitStarted(AppProcess.START_TIMEOUT);
            assertThat(Http.get(instances[i].adminUrl("/ready")).statusCode()).isEqualTo(200);
            clients.awaitGreeting("instance-" + i + " generation-2");
            Greeters.figure(
                "rolling: instance " + i + " back in rotation after (ms)",
                (System.nanoTime() - stopAt) / 1_000_000);
          }
          AppProcess.sleep(500);
          clients.stop();

          Greeters.figure("rolling: requests sent through nginx", clients.sent.get());
          Greeters.figure("rolling: failed", clients.failures.size());
          Greeters.figure("rolling: max latency (ms)", clients.maxLatencyMillis.get());
          assertThat(clients.failures)
              .as("requests that failed during the roll: " + nginx.log())
              .isEmpty();
          assertThat(clients.greetings)
              .contains(
                  "instance-0 generation-1",
                  "instance-1 generation-1",
                  "instance-0 generation-2",
                  "instance-1 generation-2");
          assertThat(clients.sent.get()).isGreaterThan(100);
        }
      } finally {
        for (AppProcess instance : instances) {
          if (instance != null) {
            instance.close();
          }
        }
      }
    }
  }

  private static AppProcess start(
      FaultyTimezones timezones, int instance, int generation, int port, int adminPort) {
    Map<String, String> env = GreeterEnvironment.valid(timezones.url());
    env.put("GREETING", "instance-" + instance + " generation-" + generation);
    env.put("SHUTDOWN_WAIT_PERIOD", "1s");
    env.put("SHUTDOWN_GRACE_PERIOD", "5s");
    return AppProcess.start(env, port, adminPort);
  }

  /** Closed-loop clients calling {@code /} through nginx on kept-alive connections. */
  static final class Clients {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong maxLatencyMillis = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final Set<String> greetings = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Clients(int port, int count) {
      for (int i = 0; i < count; i++) {
        Thread thread = new Thread(() -> loop(port), "client-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    private void loop(int port) {
      while (running) {
        sent.incrementAndGet();
        long start = System.nanoTime();
        try {
          HttpResponse<String> response = Http.get("http://127.0.0.1:" + port + "/");
          if (response.statusCode() != 200) {
            failures.add(response.statusCode() + " " + response.body());
            continue;
          }
          Matcher m = MESSAGE.matcher(response.body());
          if (m.find()) {
            greetings.add(m.group(1));
          }
          maxLatencyMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
        } catch (RuntimeException e) {
          failures.add(e.toString());
        }
      }
    }

    void awaitGreeting(String greeting) {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!greetings.contains(greeting) && System.nanoTime() < deadline) {
        AppProcess.sleep(50);
      }
      assertThat(greetings).as("greetings seen through nginx").contains(greeting);
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread thread : threads) {
        thread.join(30_000);
      }
    }
  }
}
