package com.example.greeter.reliability;

import com.example.common.testing.AppProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * timezones as a raw socket server on a fixed loopback port, with the faults a real dependency
 * shows: answering, hanging (accepts and never answers), slow, answering garbage, speaking broken
 * HTTP, resetting, and being killed then coming back on the same port. Keeps connections alive like
 * a real server, and counts the ones open, so a test sees whether the caller closes them.
 */
final class FaultyTimezones implements AutoCloseable {

  enum Mode {
    /** 200 with the zone's time; 404 for zones under {@code Unknown/}. */
    ANSWER,
    /** Reads the request and never answers; the connection stays open until the caller leaves. */
    HANG,
    /** Answers like {@link #ANSWER} after {@link #delay(long)}. */
    SLOW,
    /** 200 with an HTML page. */
    GARBAGE,
    /** Bytes that are not an HTTP response, then closes. */
    BROKEN_HTTP,
    /** Closes the connection as soon as the request arrived. */
    RESET
  }

  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<String> targets = ConcurrentHashMap.newKeySet();
  private final ExecutorService connections =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "faulty-timezones");
            thread.setDaemon(true);
            return thread;
          });
  private volatile Mode mode = Mode.ANSWER;
  private volatile long delayMillis = 3000;
  private ServerSocket server;
  private Thread acceptor;

  FaultyTimezones() {
    this.port = AppProcess.freePort();
    start();
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  FaultyTimezones mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  FaultyTimezones delay(long millis) {
    this.delayMillis = millis;
    return this;
  }

  /** Connections accepted and not yet closed by either side. */
  int openConnections() {
    open.removeIf(Socket::isClosed);
    return open.size();
  }

  /** Every distinct request target received (what the caller forwarded downstream). */
  Set<String> targets() {
    return targets;
  }

  /** Listens (again) on the same port. */
  synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port), 200);
      server = socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ServerSocket listening = server;
    acceptor = new Thread(() -> accept(listening), "faulty-timezones-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Stops listening and drops every open connection, as a killed process would. Returns once the
   * port refuses connections and can be bound again: closing a ServerSocket another thread is
   * blocked in accept() on releases the port only after that thread has woken up (JDK's
   * NioSocketImpl), and until then the kernel still accepts connections for it.
   */
  synchronized void kill() {
    if (server == null) {
      return;
    }
    closeQuietly(server);
    server = null;
    try {
      acceptor.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (acceptor.isAlive()) {
      throw new IllegalStateException("faulty timezones still accepting 10 s after kill");
    }
    open.forEach(FaultyTimezones::closeQuietly);
    open.clear();
  }

  private void accept(ServerSocket listening) {
    while (true) {
      Socket socket;
      try {
        socket = listening.accept();
      } catch (IOException closed) {
        return;
      }
      if (listening.isClosed()) {
        // made while kill() was closing the port: a killed process never answers it
        closeQuietly(socket);
        return;
      }
      open.add(socket);
      connections.execute(() -> serve(socket));
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      String head;
      while ((head = readHead(in)) != null) {
        String target = head.split(" ", 3)[1];
        targets.add(target);
        String zone = target.substring(target.lastIndexOf("/timezones/") + "/timezones/".length());
        switch (mode) {
          case ANSWER -> answer(out, zone);
          case SLOW -> {
            AppProcess.sleep(delayMillis);
            answer(out, zone);
          }
          case HANG -> {
            while (in.read() != -1) {
              // hold the connection until the caller gives up
            }
            return;
          }
          case GARBAGE -> write(out, 200, "text/html", "<html><body>surprise</body></html>");
          case BROKEN_HTTP -> {
            out.write("SURPRISE\r\n\u0000\u0001garbage".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return;
          }
          case RESET -> {
            socket.setSoLinger(true, 0);
            return;
          }
        }
      }
    } catch (IOException gone) {
      // the caller timed out and closed, or kill() dropped the connection
    } finally {
      open.remove(socket);
    }
  }

  private static void answer(OutputStream out, String zone) throws IOException {
    if (zone.startsWith("Unknown/")) {
      write(out, 404, "application/json", "{\"code\":404,\"message\":\"unknown time zone\"}");
    } else {
      write(
          out,
          200,
          "application/json",
          "{\"zone\":\"" + zone + "\",\"time\":\"2026-01-15T12:00:00Z\",\"offset\":\"Z\"}");
    }
  }

  private static void write(OutputStream out, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + " X\r\nContent-Type: "
            + type
            + "\r\nContent-Length: "
            + bytes.length
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /** The request head up to the empty line, or null at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    kill();
    connections.shutdownNow();
  }
}
