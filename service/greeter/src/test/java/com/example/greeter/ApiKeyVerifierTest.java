package com.example.greeter;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.greeter.core.ApiKeyVerifier;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyVerifierTest {

  private final ApiKeyVerifier verifier = new ApiKeyVerifier("s3cret-key");

  @Test
  void acceptsExactlyOneMatchingKey() {
    assertThat(verifier.accepts(List.of("s3cret-key"))).isTrue();
  }

  @Test
  void rejectsMissingWrongAndRepeatedKeys() {
    assertThat(verifier.accepts(null)).isFalse();
    assertThat(verifier.accepts(List.of())).isFalse();
    assertThat(verifier.accepts(List.of("s3cret-ke"))).isFalse();
    assertThat(verifier.accepts(List.of("s3cret-key "))).isFalse();
    assertThat(verifier.accepts(List.of("s3cret-key", "s3cret-key"))).isFalse();
  }
}
