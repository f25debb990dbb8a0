package com.example.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppProcessTest {

  @Test
  void freePortsAreBelowTheEphemeralRangeBindableAndNeverRepeated() throws IOException {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ports.add(AppProcess.freePort());
    }
    // Outgoing connections take their local ports from the ephemeral range: a port there can be
    // gone before a restarted service binds it again (RollingRestartIT restarts on its ports).
    assertThat(ports)
        .allSatisfy(port -> assertThat(port).isBetween(1024, AppProcess.ephemeralRangeStart() - 1));
    assertThat(ports).doesNotHaveDuplicates();
    for (int port : ports.subList(0, 20)) {
      try (ServerSocket socket = new ServerSocket(port)) {
        assertThat(socket.getLocalPort()).isEqualTo(port);
      }
    }
  }
}
