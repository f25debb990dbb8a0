package com.example.timezones.core;

import com.example.timezones.api.ZoneSummary;
import com.example.timezones.api.ZoneTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The region-based zone ids the JVM knows (such as {@code Asia/Kolkata}). Only those ids are
 * accepted: offsets like {@code +05:00} or {@code UTC+1}, which {@link ZoneId#of} would also parse,
 * are not zones of this catalog.
 */
public final class ZoneCatalog {

  private final Clock clock;
  private final Set<String> zones = Set.copyOf(ZoneId.getAvailableZoneIds());
  private final List<String> sorted = zones.stream().sorted().toList();

  public ZoneCatalog(Clock clock) {
    this.clock = clock;
  }

  public List<ZoneSummary> list(String prefix) {
    Instant now = clock.instant();
    return sorted.stream()
        .filter(zone -> zone.startsWith(prefix))
        .map(zone -> new ZoneSummary(zone, ZoneId.of(zone).getRules().getOffset(now).getId()))
        .toList();
  }

  public Optional<ZoneTime> timeIn(String zone) {
    if (!zones.contains(zone)) {
      return Optional.empty();
    }
    var time = clock.instant().truncatedTo(ChronoUnit.SECONDS).atZone(ZoneId.of(zone));
    return Optional.of(
        new ZoneTime(
            zone, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time), time.getOffset().getId()));
  }
}
