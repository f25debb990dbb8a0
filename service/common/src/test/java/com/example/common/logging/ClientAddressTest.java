package com.example.common.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientAddressTest {

  static final ClientAddress SIDECAR = new ClientAddress(List.of("127.0.0.6", "::6"));

  @ParameterizedTest(name = "peer {0}, X-Forwarded-For ''{1}'' -> {2}")
  @CsvSource(
      delimiter = ';',
      value = {
        // From the sidecar: the entry our edge appended (right-most), never one the client sent.
        "127.0.0.6; 203.0.113.7; 203.0.113.7",
        "127.0.0.6; 6.6.6.6, 203.0.113.7; 203.0.113.7",
        "127.0.0.6; 6.6.6.6,203.0.113.7 ; 203.0.113.7",
        "127.0.0.6; 10.0.0.1, 6.6.6.6, 2001:db8::7; 2001:db8::7",
        "0:0:0:0:0:0:0:6; 203.0.113.7; 203.0.113.7",
        "[::6]; 203.0.113.7; 203.0.113.7",
        // From the sidecar without a usable entry: the peer.
        "127.0.0.6; ; 127.0.0.6",
        "127.0.0.6; -; 127.0.0.6",
        "127.0.0.6; 203.0.113.7, evil.example; 127.0.0.6",
        "127.0.0.6; 203.0.113.7, unknown; 127.0.0.6",
        // Any other peer: the peer, whatever the request claims.
        "10.1.2.3; 6.6.6.6; 10.1.2.3",
        "127.0.0.1; 6.6.6.6; 127.0.0.1",
        "127.0.0.7; 6.6.6.6; 127.0.0.7",
      })
  void believesTheForwardedForOnlyFromTheSidecarAndOnlyItsLastEntry(
      String peer, String forwardedFor, String client) {
    assertThat(SIDECAR.of(peer, forwardedFor)).isEqualTo(client);
  }

  @Test
  void noHeaderMeansThePeer() {
    assertThat(SIDECAR.of("127.0.0.6", null)).isEqualTo("127.0.0.6");
  }

  @Test
  void trustsOnlyIpLiteralsNeverNamesToLookUp() {
    assertThatThrownBy(() -> new ClientAddress(List.of("sidecar.local")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sidecar.local");
  }
}
