package com.example.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, byte for byte as the test writes it: for what {@code java.net.http}
 * refuses to send (CR or LF in a header, raw non-ASCII bytes, unknown methods, malformed request
 * targets). One request a connection ({@code Connection: close}), so the response ends where the
 * stream ends.
 */
public final class RawHttp {

  /** A response as received: status, headers (in order, names as sent), body bytes. */
  public record Response(int status, List<String[]> headers, byte[] body) {

    public Optional<String> header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Status line, headers and body, for failure messages and leak checks. */
    public String all() {
      StringBuilder text = new StringBuilder().append(status).append('\n');
      headers.forEach(h -> text.append(h[0]).append(": ").append(h[1]).append('\n'));
      return text.append(bodyText()).toString();
    }
  }

  private RawHttp() {}

  /**
   * Sends {@code head} (request line and header lines, each without its line end; they are joined
   * with CRLF and ended with an empty line) and reads the whole response.
   */
  public static Response send(int port, List<byte[]> head) {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    for (byte[] line : head) {
      request.writeBytes(line);
      request.writeBytes(new byte[] {'\r', '\n'});
    }
    request.writeBytes(new byte[] {'\r', '\n'});
    return sendBytes(port, request.toByteArray());
  }

  /** A request line and headers given as text; each string's chars are sent as UTF-8. */
  public static Response send(int port, String requestLine, String... headerLines) {
    List<byte[]> head = new ArrayList<>();
    head.add(requestLine.getBytes(StandardCharsets.UTF_8));
    for (String line : headerLines) {
      head.add(line.getBytes(StandardCharsets.UTF_8));
    }
    return send(port, head);
  }

  /**
   * Like {@link #send(int, String, String...)}, from the local address {@code source} (any of
   * 127.0.0.0/8 on Linux): what a server sees as the peer, such as Istio's sidecar at 127.0.0.6.
   */
  public static Response sendFrom(
      String source, int port, String requestLine, String... headerLines) {
    StringBuilder request = new StringBuilder(requestLine).append("\r\n");
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    return sendBytes(
        source, port, request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Sends exactly {@code request} and reads until the server closes the connection. */
  public static Response sendBytes(int port, byte[] request) {
    return sendBytes(null, port, request);
  }

  private static Response sendBytes(String source, int port, byte[] request) {
    try (Socket socket = new Socket()) {
      if (source != null) {
        socket.bind(new InetSocketAddress(source, 0));
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      boolean head =
          new String(request, 0, Math.min(5, request.length), StandardCharsets.US_ASCII)
              .equals("HEAD ");
      return parse(readAll(socket.getInputStream()), head);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) != -1) {
        bytes.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("no end of response within 20 s; got: " + bytes, e);
    } catch (IOException reset) {
      // a server that answers an invalid request and resets the connection: keep what came
      if (bytes.size() == 0) {
        throw reset;
      }
    }
    return bytes.toByteArray();
  }

  /**
   * Parses status line, headers and body (de-chunked when the response is chunked); fails on a body
   * shorter or longer than its Content-Length, i.e. a truncated response.
   */
  public static Response parse(byte[] raw, boolean headRequest) {
    int end = indexOf(raw, new byte[] {'\r', '\n', '\r', '\n'});
    if (end < 0) {
      throw new IllegalStateException(
          "no complete response head in " + new String(raw, StandardCharsets.ISO_8859_1));
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
      throw new IllegalStateException("not an HTTP status line: " + lines[0]);
    }
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(
          new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()});
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    Response response = new Response(Integer.parseInt(statusLine[1]), headers, body);
    if (response
        .header("Transfer-Encoding")
        .map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
        .orElse(false)) {
      return new Response(response.status(), headers, dechunk(body));
    }
    response
        .header("Content-Length")
        .map(Integer::parseInt)
        .ifPresent(
            length -> {
              if (length != body.length && !(headRequest && body.length == 0)) {
                throw new IllegalStateException(
                    "Content-Length " + length + " but " + body.length + " body bytes");
              }
            });
    return response;
  }

  private static byte[] dechunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int lineEnd = indexOf(body, new byte[] {'\r', '\n'}, at);
      if (lineEnd < 0) {
        throw new IllegalStateException("truncated chunked body");
      }
      String size = new String(body, at, lineEnd - at, StandardCharsets.ISO_8859_1);
      int length = Integer.parseInt(size.split(";", 2)[0].strip(), 16);
      if (length == 0) {
        return out.toByteArray();
      }
      if (lineEnd + 2 + length > body.length) {
        throw new IllegalStateException("truncated chunk");
      }
      out.write(body, lineEnd + 2, length);
      at = lineEnd + 2 + length + 2;
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    return indexOf(data, pattern, 0);
  }

  private static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
