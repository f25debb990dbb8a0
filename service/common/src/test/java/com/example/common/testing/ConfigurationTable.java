package com.example.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.configuration.SettingVariables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The table of environment variables in {@code docs/configuration.md}, checked against what really
 * reads and sets them: the configuration's {@code ${VAR}} placeholders (the one map from variable
 * to setting) and the chart's files. A variable added to a YAML file and not documented, documented
 * and not read, documented with another setting or default, or said to be set by the chart when the
 * chart never names it (or the reverse), fails the service's test.
 */
public final class ConfigurationTable {

  /** One row: variable, service ({@code all} for the shared settings), settings, default, chart. */
  public record Row(
      String variable, String service, Set<String> settings, String defaultValue, String chart) {}

  static final String HEADING = "## Environment variables";
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  private ConfigurationTable() {}

  /** The repository's root: the nearest parent of the working directory holding docs/. */
  public static Path repository() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no docs/ above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  /** The rows of {@code service} in the table under {@value #HEADING}. */
  public static List<Row> rows(String service) {
    List<String> lines = read(repository().resolve("docs/configuration.md")).lines().toList();
    int start = lines.indexOf(HEADING);
    assertThat(start).as("docs/configuration.md has a section '%s'", HEADING).isNotNegative();
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("| `")) {
        Row row = parse(line);
        if (row.service().equals(service)) {
          rows.add(row);
        }
      }
    }
    return rows;
  }

  private static Row parse(String line) {
    String[] cells = line.substring(1, line.lastIndexOf('|')).split("\\|", -1);
    assertThat(cells).as("columns of: %s", line).hasSize(5);
    String defaultCell = cells[3].strip();
    return new Row(
        codeIn(cells[0]).get(0),
        cells[1].strip(),
        new TreeSet<>(codeIn(cells[2])),
        defaultCell.equals("none") ? null : codeIn(defaultCell).get(0),
        cells[4].strip());
  }

  private static List<String> codeIn(String cell) {
    List<String> code = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      code.add(m.group(1));
    }
    assertThat(code).as("`code` in table cell '%s'", cell).isNotEmpty();
    return code;
  }

  /**
   * The table's rows for {@code service} say exactly what {@code variables} (its YAML) reads, and
   * what the chart sets.
   */
  public static void assertDocuments(String service, SettingVariables variables) {
    Map<String, Row> documented = new TreeMap<>();
    rows(service).forEach(row -> documented.put(row.variable(), row));
    Map<String, Row> read = new TreeMap<>();
    for (SettingVariables.Setting setting : variables.all()) {
      read.computeIfAbsent(
              setting.variable(),
              v ->
                  new Row(
                      v, service, new TreeSet<>(), emptyToNone(setting.defaultValue()), "(yaml)"))
          .settings()
          .add(setting.path());
    }
    assertThat(documented.keySet())
        .as("variables of %s in docs/configuration.md, against its YAML", service)
        .containsExactlyElementsOf(read.keySet());
    for (Row row : read.values()) {
      Row doc = documented.get(row.variable());
      assertThat(doc.settings()).as("settings %s sets", row.variable()).isEqualTo(row.settings());
      assertThat(doc.defaultValue())
          .as("default of %s", row.variable())
          .isEqualTo(row.defaultValue());
      assertChartClaim(doc);
    }
  }

  /** {@code not set ...} in the chart column means no chart file names the variable. */
  private static void assertChartClaim(Row row) {
    boolean named = chartFiles().anyMatch(file -> read(file).contains(row.variable()));
    if (row.chart().startsWith("not set")) {
      assertThat(named)
          .as("docs say the chart does not set %s, but charts/jvm-service names it", row.variable())
          .isFalse();
    } else {
      assertThat(named)
          .as(
              "docs say the chart sets %s (%s); no chart file names it",
              row.variable(), row.chart())
          .isTrue();
    }
  }

  private static Stream<Path> chartFiles() {
    Path chart = repository().resolve("charts/jvm-service");
    try (Stream<Path> files = Files.walk(chart)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              f -> Arrays.asList(".yaml", ".yml", ".tpl").stream().anyMatch(f.toString()::endsWith))
          .collect(Collectors.toList())
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String emptyToNone(String defaultValue) {
    return defaultValue == null || defaultValue.isEmpty() ? null : defaultValue;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
