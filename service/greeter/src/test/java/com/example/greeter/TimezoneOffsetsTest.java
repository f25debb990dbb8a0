package com.example.greeter;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.greeter.core.TimezoneOffsets;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TimezoneOffsetsTest {

  @ParameterizedTest
  @CsvSource({
    "+05:30,+05:30",
    "-03:00,-03:00",
    "Z,Z",
    "+5,+05:00",
    "-11,-11:00",
    "+00:00,Z",
    "+18:00,+18:00"
  })
  void acceptsTheDocumentedForms(String text, String id) {
    assertThat(TimezoneOffsets.parse(text)).map(ZoneOffset::getId).contains(id);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "5",
        "+25:00",
        "+05:60",
        "UTC",
        "Asia/Kolkata",
        "+5:30",
        "05:30",
        "z",
        " +05:30",
        "+05:30:00"
      })
  void rejectsAnythingElse(String text) {
    assertThat(TimezoneOffsets.parse(text)).isEmpty();
  }
}
