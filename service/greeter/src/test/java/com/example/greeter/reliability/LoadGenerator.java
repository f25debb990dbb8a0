package com.example.greeter.reliability;

import com.example.common.testing.AppProcess;
import com.example.common.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded closed-loop load: a few threads, each sending one request a connection ({@code
 * Connection: close}) over a raw socket and reading the response to its end, so every outcome is
 * known exactly: refused before the server accepted the connection, completed (whole response,
 * expected status), or failed after connecting (with what was received). Each request carries its
 * own {@code X-Request-Id}, to match the server's access log against what the client got.
 */
final class LoadGenerator implements AutoCloseable {

  /** A request to send and the status it must get. */
  record Target(String path, int status, String... headers) {}

  static final String GRACEFUL_STOP_503 = "{\"code\":503,\"message\":\"Service Unavailable\"}";

  private final int port;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  final AtomicLong sent = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong maxLatencyMillis = new AtomicLong();

  /** Ids of requests whose whole response arrived with the expected status. */
  final Set<String> completed = ConcurrentHashMap.newKeySet();

  /** Ids of requests that connected but got no response byte before the connection closed. */
  final Set<String> closedBeforeResponse = ConcurrentHashMap.newKeySet();

  /**
   * Ids and times of whole 503 responses from Jetty's graceful stop (JSON, {@code Connection:
   * close}): a request that arrived on a connection accepted just before the listener closed.
   */
  final java.util.Map<String, Long> rejectedByGracefulStop = new ConcurrentHashMap<>();

  /** Requests that got part of a response, or a response with an unexpected status. */
  final List<String> failed = new CopyOnWriteArrayList<>();

  final AtomicLong firstRefusalNanos = new AtomicLong();
  final AtomicLong lastCompletedNanos = new AtomicLong();

  LoadGenerator(int port, int threads, String idPrefix, List<Target> targets) {
    this.port = port;
    AtomicLong sequence = new AtomicLong();
    for (int i = 0; i < threads; i++) {
      Thread worker =
          new Thread(
              () -> {
                while (running) {
                  long n = sequence.getAndIncrement();
                  once(idPrefix + n, targets.get((int) (n % targets.size())));
                }
              },
              "load-" + i);
      worker.setDaemon(true);
      workers.add(worker);
    }
  }

  LoadGenerator start() {
    workers.forEach(Thread::start);
    return this;
  }

  /** Stops sending, and waits for the requests in flight to end. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread worker : workers) {
      worker.join(30_000);
    }
  }

  private void once(String id, Target target) {
    long start = System.nanoTime();
    sent.incrementAndGet();
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      } catch (ConnectException refusedConnection) {
        refused.incrementAndGet();
        firstRefusalNanos.compareAndSet(0, System.nanoTime());
        AppProcess.sleep(5);
        return;
      }
      socket.setSoTimeout(30_000);
      StringBuilder request =
          new StringBuilder("GET ")
              .append(target.path())
              .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: ")
              .append(id)
              .append("\r\nConnection: close\r\n");
      for (int i = 0; i < target.headers().length; i += 2) {
        request.append(target.headers()[i]).append(": ").append(target.headers()[i + 1]);
        request.append("\r\n");
      }
      request.append("\r\n");
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      try {
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) != -1) {
          received.write(buffer, 0, n);
        }
      } catch (IOException cut) {
        if (received.size() == 0) {
          closedBeforeResponse.add(id);
          return;
        }
        failed.add(id + " " + target.path() + ": " + cut + " after " + received);
        return;
      }
      if (received.size() == 0) {
        closedBeforeResponse.add(id);
        return;
      }
      RawHttp.Response response = RawHttp.parse(received.toByteArray(), false);
      if (response.status() == 503 && response.bodyText().equals(GRACEFUL_STOP_503)) {
        rejectedByGracefulStop.put(id, System.nanoTime());
        return;
      }
      if (response.status() != target.status()) {
        failed.add(id + " " + target.path() + ": status " + response.status());
        return;
      }
      completed.add(id);
      lastCompletedNanos.set(System.nanoTime());
      maxLatencyMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
    } catch (IOException | RuntimeException e) {
      failed.add(id + " " + target.path() + ": " + e);
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
