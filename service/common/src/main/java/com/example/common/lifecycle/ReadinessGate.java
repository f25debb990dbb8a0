package com.example.common.lifecycle;

import io.dropwizard.lifecycle.Managed;
import io.dropwizard.lifecycle.setup.LifecycleEnvironment;
import io.dropwizard.util.Duration;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.ShutdownThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness that turns false on SIGTERM before Jetty stops: registered first in Jetty's shutdown
 * hook, it flips to not-ready and waits {@code shutdownWaitPeriod} while the server still serves,
 * so endpoints drop the pod before its listener closes. Then Jetty drains in-flight requests.
 *
 * <p>Dropwizard's health module has the same idea ({@code health.delayedShutdownHandlerEnabled})
 * but is not used: it serves readiness on the application port (public behind the ingress), and
 * registers its hook before the server starts and never removes it, so a failed start or a stopped
 * test server still sleeps the whole wait at JVM exit.
 */
public final class ReadinessGate extends AbstractLifeCycle {

  private static final Logger LOG = LoggerFactory.getLogger(ReadinessGate.class);

  private final Duration waitPeriod;
  private volatile boolean ready = true;

  public ReadinessGate(Duration waitPeriod) {
    this.waitPeriod = waitPeriod;
  }

  /**
   * Hooks the gate into JVM shutdown once the server has started (a server that failed to start has
   * nothing to drain) and for as long as it runs.
   */
  public void register(LifecycleEnvironment lifecycle) throws Exception {
    start();
    lifecycle.addServerLifecycleListener(server -> ShutdownThread.register(0, this));
    lifecycle.manage(
        new Managed() {
          @Override
          public void stop() {
            // Server stopped without a JVM shutdown (tests, embedding): no delay owed at exit.
            ShutdownThread.deregister(ReadinessGate.this);
          }
        });
  }

  public boolean isReady() {
    return ready;
  }

  @Override
  protected void doStop() throws InterruptedException {
    ready = false;
    LOG.info("shutdown: readiness is now 503; serving for {} before stopping", waitPeriod);
    Thread.sleep(waitPeriod.toMilliseconds());
  }
}
