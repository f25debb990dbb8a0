package com.example.common.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A service jar run as a real process, the way a container runs it: environment in, stdout and
 * stderr captured line by line, SIGTERM to stop. For what only a process shows (exit codes,
 * signals, everything that is printed).
 */
public final class AppProcess implements AutoCloseable {

  private static final int LOWEST_PORT = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private final Process process;
  private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
  private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> readers = new ArrayList<>();
  public final int port;
  public final int adminPort;

  private AppProcess(Process process, int port, int adminPort) {
    this.process = process;
    this.port = port;
    this.adminPort = adminPort;
    readers.add(pump(process.getInputStream(), stdout));
    readers.add(pump(process.getErrorStream(), stderr));
  }

  /** The jar under test, from the {@code app.jar} system property failsafe sets. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("app.jar", "target/missing.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no service jar at " + jar + ": run through mvn verify");
    }
    return jar;
  }

  /** Starts the jar on free ports; {@code env} is the whole environment besides PATH and HOME. */
  public static AppProcess start(Map<String, String> env) {
    Map<String, String> environment = new HashMap<>(env);
    environment.putIfAbsent("HTTP_PORT", Integer.toString(freePort()));
    environment.putIfAbsent("ADMIN_PORT", Integer.toString(freePort()));
    return launch(environment);
  }

  /**
   * Starts the jar on the given ports: a restart on the same ports, or an instance behind a proxy
   * whose upstreams are fixed. {@code env} is the whole environment besides PATH and HOME.
   */
  public static AppProcess start(Map<String, String> env, int port, int adminPort) {
    Map<String, String> environment = new HashMap<>(env);
    environment.put("HTTP_PORT", Integer.toString(port));
    environment.put("ADMIN_PORT", Integer.toString(adminPort));
    return launch(environment);
  }

  private static AppProcess launch(Map<String, String> environment) {
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar().toString());
    builder.environment().keySet().retainAll(List.of("PATH", "HOME", "LANG", "TMPDIR"));
    builder.environment().putAll(environment);
    try {
      return new AppProcess(
          builder.start(), portOf(environment, "HTTP_PORT"), portOf(environment, "ADMIN_PORT"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port a variable names, or -1 when it is not a number (tests of bad ports). */
  private static int portOf(Map<String, String> environment, String variable) {
    try {
      return Integer.parseInt(environment.get(variable));
    } catch (NumberFormatException notAPort) {
      return -1;
    }
  }

  /** The operating-system process id (for jcmd, or to signal it). */
  public long pid() {
    return process.pid();
  }

  /**
   * A port free now, drawn at random below the kernel's ephemeral range ({@code
   * net.ipv4.ip_local_port_range}), where every outgoing connection takes its local port. A port
   * the kernel hands out for binding comes from that range, and a test that restarts a service on
   * its port while clients, nginx and the service's own calls open connections could find it taken
   * by one of them. Never the same port twice in this JVM.
   */
  public static int freePort() {
    int below = ephemeralRangeStart() - 1;
    for (int attempt = 0; attempt < 10_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST_PORT, below);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        return port;
      } catch (IOException taken) {
        // in use: draw again
      }
    }
    throw new IllegalStateException(
        "no free port between " + LOWEST_PORT + " and " + below + " after 10,000 draws");
  }

  /** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
  static int ephemeralRangeStart() {
    try {
      // readAllLines: Files.readString stops after the first byte of this /proc file (size 0).
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
      return Integer.parseInt(range.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException unreadable) {
      return 32768;
    }
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  public String adminUrl(String path) {
    return "http://127.0.0.1:" + adminPort + path;
  }

  /**
   * How long a start (or a start-up failure's exit) may take: 2 to 10 s on a quiet 2-core machine,
   * over 60 s seen at load average 24. A process that exits is reported at once, so the long bound
   * only delays reporting a start that hangs.
   */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  /** Waits until {@code /ping} answers 200; fails with the captured output if it never does. */
  public AppProcess awaitStarted(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("exited with " + process.exitValue() + ": " + output());
      }
      try {
        if (Http.get(adminUrl("/ping")).statusCode() == 200) {
          return this;
        }
      } catch (IllegalStateException notYet) {
        // connection refused until Jetty listens
      }
      sleep(100);
    }
    // Callers get no handle to close when this throws: a process left running would outlive the
    // test run (seen on a machine too loaded to start one within the timeout).
    close();
    throw new IllegalStateException("not started within " + timeout + ": " + output());
  }

  /**
   * Sends SIGTERM, as the kubelet does, and keeps reading the output: {@link Process#destroy()}
   * would also close this side's pipes, losing what the process prints while it shuts down (a
   * container's stdout stays open).
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the process to exit and for its output to be read; -1 if it did not exit. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return -1;
      }
      for (Thread reader : readers) {
        reader.join(5000);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public List<String> stdout() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  public List<String> stderr() {
    synchronized (stderr) {
      return List.copyOf(stderr);
    }
  }

  public String output() {
    return String.join("\n", stdout()) + "\n" + String.join("\n", stderr());
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(10));
    }
  }

  private static Thread pump(java.io.InputStream stream, List<String> lines) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException closed) {
                // the process is gone
              }
            },
            "app-output");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
