package com.example.greeter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The fake's own promise, which DependencyFaultsIT relies on: once {@code kill()} returns, the port
 * answers nothing, as with a killed process.
 */
class FaultyTimezonesTest {

  /**
   * Closing a ServerSocket that another thread is blocked in {@code accept()} on finishes only when
   * that thread has been woken (JDK's NioSocketImpl closes the descriptor after the blocked call
   * returns). Until then the kernel still completes handshakes, and accept() may hand back a
   * connection made after close() had returned. Connecting straight after {@code kill()}, many
   * times, gives that window its chances.
   */
  static final int KILLS = 300;

  @Test
  void afterKillReturnsNoRequestIsAnswered() throws Exception {
    try (FaultyTimezones timezones = new FaultyTimezones()) {
      URI url = URI.create(timezones.url());
      int answered = 0;
      for (int kill = 0; kill < KILLS; kill++) {
        timezones.start();
        timezones.kill();
        if (answers(url)) {
          answered++;
        }
      }
      assertThat(answered).as("requests answered after kill() returned, of %d", KILLS).isZero();
    }
  }

  @Test
  void startsAgainOnTheSamePortRightAfterAKill() throws Exception {
    try (FaultyTimezones timezones = new FaultyTimezones()) {
      URI url = URI.create(timezones.url());
      for (int kill = 0; kill < 20; kill++) {
        timezones.kill();
        timezones.start();
        assertThat(answers(url)).as("answered after start %d", kill + 1).isTrue();
      }
    }
  }

  /**
   * Whether one request gets any bytes back. Refused or reset is no answer; a connection held open
   * without one times out and fails the test, as no killed process does that either.
   */
  private static boolean answers(URI url) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /timezones/UTC HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return in.read() != -1;
    } catch (SocketException refusedOrReset) {
      return false;
    }
  }
}
