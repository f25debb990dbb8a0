package com.example.timezones;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.timezones.api.ZoneSummary;
import com.example.timezones.api.ZoneTime;
import com.example.timezones.core.ZoneCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZoneCatalogTest {

  private static ZoneCatalog at(String instant) {
    return new ZoneCatalog(Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
  }

  @Test
  void tellsTheTimeWithTheZonesOffsetAtThatInstant() {
    assertThat(at("2026-07-01T12:00:00.750Z").timeIn("Europe/Paris"))
        .contains(new ZoneTime("Europe/Paris", "2026-07-01T14:00:00+02:00", "+02:00"));
    assertThat(at("2026-01-15T12:00:00Z").timeIn("Europe/Paris"))
        .contains(new ZoneTime("Europe/Paris", "2026-01-15T13:00:00+01:00", "+01:00"));
  }

  @Test
  void acceptsZoneIdsWithSeveralSlashes() {
    assertThat(at("2026-01-15T12:00:00Z").timeIn("America/Argentina/Buenos_Aires"))
        .map(ZoneTime::offset)
        .contains("-03:00");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Nowhere/City", "+05:00", "UTC+1", "europe/paris", "", "../etc/passwd"})
  void knowsOnlyRegionIdsOfTheCatalog(String zone) {
    assertThat(at("2026-01-15T12:00:00Z").timeIn(zone)).isEmpty();
  }

  @Test
  void listsZonesSortedAndFilteredByPrefix() {
    var zones = at("2026-01-15T12:00:00Z").list("Asia/K");

    assertThat(zones)
        .extracting(ZoneSummary::zone)
        .isSorted()
        .allMatch(z -> z.startsWith("Asia/K"));
    assertThat(zones).contains(new ZoneSummary("Asia/Kolkata", "+05:30"));
  }

  @Test
  void listsEveryZoneWithoutAPrefix() {
    assertThat(at("2026-01-15T12:00:00Z").list("")).hasSizeGreaterThan(400);
  }
}
