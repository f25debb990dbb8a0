package com.example.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdFilterTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "7d3c1f9e-1b2a-4c5d-8e9f-0a1b2c3d4e5f",
        "0af7651916cd43dd8448eb211c80319c",
        "a.b_c:d-e"
      })
  void keepsTheCallersWellFormedId(String id) {
    assertThat(RequestIdFilter.idFrom(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"evil\r\nSet-Cookie: x=1", "with space", "{\"json\":1}"})
  void replacesAMissingOrMalformedIdWithAUuid(String id) {
    assertThat(RequestIdFilter.idFrom(id))
        .isNotEqualTo(id)
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  @org.junit.jupiter.api.Test
  void replacesAnOverlongId() {
    String id = "a".repeat(129);
    assertThat(RequestIdFilter.idFrom(id)).hasSize(36);
  }

  @org.junit.jupiter.api.Test
  void newIdsAreVersion4UuidsAndDoNotRepeat() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      java.util.UUID id = java.util.UUID.fromString(RequestIdFilter.newId());
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).isEqualTo(2);
      ids.add(id.toString());
    }
    assertThat(ids).hasSize(10_000);
  }
}
