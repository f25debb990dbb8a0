package com.example.greeter.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Debian's nginx as a local reverse proxy in the foreground: a temporary prefix and config, one
 * loopback port, round robin over upstreams with passive health checks ({@code max_fails}) and
 * retry of the next upstream on connection errors and on 503, as an ingress does. The 503 retry
 * matters: Jetty's graceful stop answers 503 (with {@code Connection: close}) to a request that
 * arrives on a connection accepted in the instant before its listener closed.
 */
final class LocalNginx implements AutoCloseable {

  private final Path prefix;
  private final Process process;
  final int port;

  LocalNginx(int port, List<Integer> upstreamPorts) {
    this.port = port;
    try {
      prefix = Files.createTempDirectory("nginx-");
      Files.createDirectories(prefix.resolve("logs"));
      Files.writeString(prefix.resolve("nginx.conf"), config(port, upstreamPorts));
      process =
          new ProcessBuilder(
                  binary().toString(), "-p", prefix.toString(), "-c", "nginx.conf", "-e", "stderr")
              .redirectErrorStream(true)
              .redirectOutput(prefix.resolve("logs/output.log").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitListening();
  }

  /**
   * nginx from PATH or Debian's place for it. Missing nginx fails the test: a skipped rolling
   * restart would pass unnoticed.
   */
  static Path binary() {
    return Stream.concat(
            Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "nginx")),
            Stream.of(Path.of("/usr/sbin/nginx")))
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "nginx is not installed: the rolling-restart test needs it "
                        + "(Debian: apt-get install -y nginx-light; .ci/run installs it)"));
  }

  private String config(int port, List<Integer> upstreamPorts) {
    String servers =
        upstreamPorts.stream()
            .map(p -> "    server 127.0.0.1:" + p + " max_fails=1 fail_timeout=3s;")
            .collect(Collectors.joining("\n"));
    return String.join(
        "\n",
        "daemon off;",
        "worker_processes 1;",
        "pid " + prefix.resolve("nginx.pid") + ";",
        "error_log stderr warn;",
        "events { worker_connections 512; }",
        "http {",
        "  access_log off;",
        "  client_body_temp_path " + prefix.resolve("client_body") + ";",
        "  proxy_temp_path " + prefix.resolve("proxy") + ";",
        "  fastcgi_temp_path " + prefix.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + prefix.resolve("uwsgi") + ";",
        "  scgi_temp_path " + prefix.resolve("scgi") + ";",
        "  upstream greeter {",
        servers,
        "  }",
        "  server {",
        "    listen 127.0.0.1:" + port + ";",
        "    location / {",
        "      proxy_pass http://greeter;",
        // http_503: a request on a connection accepted just as Jetty stops gets its 503.
        "      proxy_next_upstream error timeout http_503;",
        "      proxy_connect_timeout 1s;",
        "      proxy_read_timeout 10s;",
        "    }",
        "  }",
        "}",
        "");
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx exited: " + log());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        com.example.common.testing.AppProcess.sleep(50);
      }
    }
    throw new IllegalStateException("nginx did not listen on " + port + ": " + log());
  }

  String log() {
    try {
      return Files.readString(prefix.resolve("logs/output.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(prefix)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException leftBehind) {
      // a temporary directory
    }
  }
}
