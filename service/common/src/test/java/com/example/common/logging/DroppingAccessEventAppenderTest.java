package com.example.common.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ContextBase;
import io.prometheus.metrics.core.metrics.Counter;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DroppingAccessEventAppenderTest {

  static final int QUEUE = 4;
  static final int EVENTS = 100;

  /** stdout that does not take a line until released, as when the log reader stalls. */
  static final class StalledStdout extends AppenderBase<IAccessEvent> {
    final CountDownLatch release = new CountDownLatch(1);
    final List<IAccessEvent> written = Collections.synchronizedList(new ArrayList<>());

    @Override
    protected void append(IAccessEvent event) {
      try {
        release.await();
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      }
      written.add(event);
    }
  }

  @Test
  void aFullQueueDropsAndCountsTheLinesAndNeverBlocksTheCaller() {
    ContextBase context = new ContextBase();
    StalledStdout stdout = new StalledStdout();
    stdout.setContext(context);
    stdout.start();
    Counter dropped = AccessLogDrops.counter();
    DroppingAccessEventAppender appender = new DroppingAccessEventAppender(dropped);
    appender.setContext(context);
    appender.setQueueSize(QUEUE);
    appender.setNeverBlock(false); // a configuration cannot make request threads wait
    appender.addAppender(stdout);
    appender.start();

    // A blocking appender would wait here forever for the stalled stdout: the guard turns that
    // into a failure. It bounds a hang, not a speed: 100 calls take microseconds.
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int i = 0; i < EVENTS; i++) {
            appender.doAppend(event());
          }
        });
    stdout.release.countDown();
    appender.stop(); // writes out what the queue holds

    // Every line is either written or counted. At most two queues' worth got in: logback's worker
    // drains the queue into a batch before writing it (AsyncAppenderBase.Worker: take + drainTo).
    assertThat(stdout.written.size() + dropped.get()).isEqualTo(EVENTS);
    assertThat(dropped.get()).isGreaterThanOrEqualTo(EVENTS - 2 * QUEUE);
  }

  static IAccessEvent event() {
    return (IAccessEvent)
        Proxy.newProxyInstance(
            IAccessEvent.class.getClassLoader(),
            new Class<?>[] {IAccessEvent.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "equals" -> proxy == args[0];
                  case "hashCode" -> System.identityHashCode(proxy);
                  default -> method.getReturnType() == long.class ? 0L : null;
                });
  }
}
