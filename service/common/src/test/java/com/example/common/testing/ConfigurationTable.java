package com.example.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.configuration.SettingVariables;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The table of environment variables in {@code docs/configuration.md}, checked against what really
 * reads and sets them: the configuration's {@code ${VAR}} placeholders (the one map from variable
 * to setting) and the chart's values. A variable added to a YAML file and not documented,
 * documented and not read, documented with another setting or default, or said to be set by the
 * chart when neither the service's values file nor the chart's shared parts set it (or the
 * reverse), fails the service's test.
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

  /**
   * The chart column against where the chart really takes the variable from. The chart knows no
   * service (docs/chart.md): a service's variables are the {@code config} (ConfigMap), {@code
   * secretEnv} (Secret) and {@code env} keys of its {@code values-<service>.yaml}; what every
   * service gets is in the chart's templates and its shared values files. A row starting with
   * {@code not set} must be set nowhere; any other row must be set, and start with how it is
   * delivered.
   */
  private static void assertChartClaim(Row row) {
    String delivery = chartDelivery(row.variable(), row.service());
    if (row.chart().startsWith("not set")) {
      assertThat(delivery)
          .as("docs say the chart does not set %s, but the chart does", row.variable())
          .isNull();
    } else {
      assertThat(delivery)
          .as(
              "docs say the chart sets %s for %s (%s); neither %s nor the chart's templates and"
                  + " shared values do",
              row.variable(),
              row.service(),
              row.chart(),
              row.service().equals("all") ? "any" : "values-" + row.service() + ".yaml")
          .isNotNull();
      assertThat(row.chart()).as("how the chart delivers %s", row.variable()).startsWith(delivery);
    }
  }

  /**
   * How the chart gives {@code variable} to {@code service}'s pods: {@code ConfigMap}, {@code
   * Secret} or {@code Deployment `env`}; null when it does not. {@code all}: what every release
   * gets (templates, values.yaml, values-dev.yaml, values-prod.yaml).
   */
  static String chartDelivery(String variable, String service) {
    Path chart = repository().resolve("charts/jvm-service");
    List<Path> valueFiles = new ArrayList<>();
    for (String shared : List.of("values.yaml", "values-dev.yaml", "values-prod.yaml")) {
      valueFiles.add(chart.resolve(shared));
    }
    if (!service.equals("all")) {
      Path own = chart.resolve("values-" + service + ".yaml");
      assertThat(own).as("the values file of %s", service).exists();
      valueFiles.add(own);
    }
    String delivery = null;
    for (Path file : valueFiles) {
      JsonNode values = readYaml(file);
      if (values.path("config").has(variable)) {
        delivery = "ConfigMap";
      } else if (contains(values.path("secretEnv"), variable)) {
        delivery = "Secret";
      } else if (values.path("env").has(variable) || containsName(values.path("env"), variable)) {
        delivery = "Deployment `env`";
      }
    }
    if (delivery == null && namedInTemplates(chart.resolve("templates"), variable)) {
      delivery = "Deployment `env`";
    }
    return delivery;
  }

  private static boolean contains(JsonNode list, String item) {
    for (JsonNode n : list) {
      if (n.asText().equals(item)) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsName(JsonNode envList, String name) {
    for (JsonNode n : envList) {
      if (n.path("name").asText().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean namedInTemplates(Path templates, String variable) {
    Pattern word = Pattern.compile("\\b" + Pattern.quote(variable) + "\\b");
    try (Stream<Path> files = Files.walk(templates)) {
      return files.filter(Files::isRegularFile).anyMatch(file -> word.matcher(read(file)).find());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode readYaml(Path file) {
    try {
      JsonNode node = new YAMLMapper().readTree(file.toFile());
      return node == null ? MissingNode.getInstance() : node;
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
