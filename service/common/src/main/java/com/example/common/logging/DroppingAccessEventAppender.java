package com.example.common.logging;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.core.AsyncAppenderBase;
import io.prometheus.metrics.core.metrics.Counter;

/**
 * Hands access events to a worker thread that writes them, and drops an event (counting it) rather
 * than make a request thread wait when the queue is full, as it would be while stdout is stalled.
 * Under normal load the queue has room and every request gets its line. The full-queue check and
 * logback's own {@code neverBlock} offer are two steps: when two threads race for the last free
 * slot, one event can be lost without being counted.
 */
public final class DroppingAccessEventAppender extends AsyncAppenderBase<IAccessEvent> {

  private final Counter dropped;

  public DroppingAccessEventAppender(Counter dropped) {
    this.dropped = dropped;
    setNeverBlock(true);
  }

  /** Never blocking is this appender's purpose: a configuration cannot turn it off. */
  @Override
  public void setNeverBlock(boolean ignored) {
    super.setNeverBlock(true);
  }

  @Override
  protected void append(IAccessEvent event) {
    if (getRemainingCapacity() == 0) {
      dropped.inc();
      return;
    }
    super.append(event);
  }

  /** The worker reads the event after the request ended: copy what it needs now. */
  @Override
  protected void preprocess(IAccessEvent event) {
    event.prepareForDeferredProcessing();
  }
}
