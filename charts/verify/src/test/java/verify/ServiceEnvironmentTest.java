package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The service chart knows no service: a service's variables come from its values-SERVICE.yaml alone,
 * and each service is given exactly what its configuration reads.
 */
class ServiceEnvironmentTest {

  static final Path LEDGER = Path.of("charts/verify/src/test/resources/ledger");

  /**
   * The rule the services apply (Dropwizard's EnvironmentVariableSubstitutor, commons-text
   * StringSubstitutor syntax): a YAML value {@code ${NAME}} or {@code ${NAME:-default}} reads the
   * variable NAME. Matched in parsed values only, so the files' comments do not count.
   */
  static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  /** Read by the JVM itself, not by the services' YAML (JVMTI: the launcher reads JAVA_TOOL_OPTIONS). */
  static final String JVM_OPTIONS = "JAVA_TOOL_OPTIONS";

  /** The variables a module's YAML reads: name to default ("" when it has none, i.e. required). */
  static Map<String, String> placeholders(String module) {
    Map<String, String> read = new TreeMap<>();
    Path resources = Path.of("service", module, "src/main/resources");
    try (Stream<Path> files = Files.walk(resources)) {
      List<Path> ymls = files.filter(f -> f.toString().endsWith(".yml")).toList();
      assertThat(ymls).as("configuration files in %s", resources).isNotEmpty();
      ymls.forEach(yml -> collect(Charts.readYamlFile(yml), read));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return read;
  }

  private static void collect(JsonNode node, Map<String, String> read) {
    if (node == null) {
      return;
    }
    if (node.isTextual()) {
      Matcher m = PLACEHOLDER.matcher(node.asText());
      while (m.find()) {
        read.merge(m.group(1), m.group(3) == null ? "" : m.group(3), (a, b) -> a.isEmpty() ? b : a);
      }
    }
    node.forEach(child -> collect(child, read));
  }

  /** What a service reads: its own YAML laid over the shared one of the common module. */
  static Map<String, String> readBy(String service) {
    Map<String, String> read = new TreeMap<>(placeholders("common"));
    read.putAll(placeholders(service));
    return read;
  }

  /** Every variable the release's stable container gets: env entries and the ConfigMap's keys. */
  static Set<String> delivered(List<Object> objects, String release) {
    Deployment d = Charts.named(objects, Deployment.class, release);
    Set<String> names = envNames(app(d));
    names.addAll(Charts.named(objects, ConfigMap.class, release).getData().keySet());
    return names;
  }

  static Container app(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  static Set<String> envNames(Container c) {
    return c.getEnv().stream().map(EnvVar::getName).collect(Collectors.toCollection(TreeSet::new));
  }

  static List<Object> ledger(String env, Map<String, String> sets, Path... overlays) {
    List<Path> files = new ArrayList<>(List.of(LEDGER.resolve("values-ledger.yaml")));
    files.addAll(List.of(overlays));
    return Charts.parseAll(Charts.renderRelease("ledger", env, files, sets));
  }

  static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  static Set<String> items(JsonNode node) {
    Set<String> items = new TreeSet<>();
    node.forEach(n -> items.add(n.asText()));
    return items;
  }

  @Nested
  class EachServiceGetsWhatItReads {
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"greeter,dev", "greeter,prod", "timezones,dev", "timezones,prod"})
    void everyVariableTheChartSetsIsReadAndEveryRequiredOneIsSet(String service, String env) {
      Map<String, String> read = readBy(service);
      Set<String> delivered = delivered(Charts.parseAll(Charts.renderService(service, env, Matrix.stableOnly())), service);
      delivered.remove(JVM_OPTIONS);
      assertThat(read.keySet()).as("variables %s reads (its YAML and the shared one)", service).containsAll(delivered);
      Set<String> required = read.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey)
          .collect(Collectors.toSet());
      assertThat(delivered).as("variables %s cannot start without", service).containsAll(required);
    }
  }

  @Nested
  class ANewServiceNeedsOnlyItsValuesFile {
    final JsonNode file = Charts.readYamlFile(LEDGER.resolve("values-ledger.yaml"));

    /** The chart's own variables: those of a release whose service file sets none. */
    Set<String> chartOwn() {
      List<Object> bare = Charts.parseAll(Charts.renderRelease("bare", "dev", List.of(), Map.of("image.repository", "bare")));
      return envNames(app(Charts.named(bare, Deployment.class, "bare")));
    }

    Set<String> chartConfig() {
      return keys(Charts.readYamlFile(Charts.SERVICE_CHART.resolve("values.yaml")).path("config"));
    }

    @Test
    void itsConfigMapEnvAndSecretCarryExactlyItsKeys() {
      List<Object> dev = ledger("dev", Matrix.stableOnly());
      Set<String> config = new TreeSet<>(chartConfig());
      config.addAll(keys(file.path("config")));
      assertThat(Charts.named(dev, ConfigMap.class, "ledger").getData()).containsOnlyKeys(config)
          .containsEntry("LEDGER_CURRENCY", "EUR").containsEntry("LEDGER_PAGE_SIZE", "50");

      Container c = app(Charts.named(dev, Deployment.class, "ledger"));
      Set<String> env = new TreeSet<>(chartOwn());
      env.addAll(keys(file.path("env")));
      env.addAll(items(file.path("secretEnv")));
      assertThat(envNames(c)).isEqualTo(env);
      assertThat(c.getEnv()).filteredOn(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
          .extracting(e -> e.getName() + "<-" + e.getValueFrom().getSecretKeyRef().getName() + "#" + e.getValueFrom().getSecretKeyRef().getKey())
          .containsExactly("LEDGER_DB_PASSWORD<-ledger#LEDGER_DB_PASSWORD", "LEDGER_SIGNING_KEY<-ledger#LEDGER_SIGNING_KEY");

      assertThat(Charts.named(dev, Secret.class, "ledger").getStringData())
          .isEqualTo(Map.of("LEDGER_DB_PASSWORD", "dev-password", "LEDGER_SIGNING_KEY", "dev-signing-key"));
    }

    @Test
    void prodFetchesExactlyItsSecretKeysFromTheStore() {
      List<Object> prod = ledger("prod", Matrix.stableOnly());
      assertThat(Charts.ofType(prod, Secret.class)).isEmpty();
      CrdModels.ExternalSecret es = Charts.ofType(prod, CrdModels.ExternalSecret.class).get(0);
      assertThat(es.spec().data()).extracting(d -> d.secretKey() + "<-" + d.remoteRef().key() + "#" + d.remoteRef().property())
          .containsExactly("LEDGER_DB_PASSWORD<-prod/ledger#LEDGER_DB_PASSWORD", "LEDGER_SIGNING_KEY<-prod/ledger#LEDGER_SIGNING_KEY");
    }

    @Test
    void sealedWantsACiphertextForEachSecretKey() {
      Map<String, String> sealed = new LinkedHashMap<>(Matrix.stableOnly());
      sealed.put("secret.mode", "sealed");
      sealed.put("secret.sealed.encryptedData.LEDGER_DB_PASSWORD", "AgBy3i4OJSWK+PiTySYZZA==");
      assertThatThrownBy(() -> ledger("prod", sealed))
          .hasMessageContaining("secret.sealed.encryptedData.LEDGER_SIGNING_KEY is required when secret.mode=sealed");
      sealed.put("secret.sealed.encryptedData.LEDGER_SIGNING_KEY", "AgCtr8vJ1aB0Zq9XhR2mVw==");
      CrdModels.SealedSecret s = Charts.ofType(ledger("prod", sealed), CrdModels.SealedSecret.class).get(0);
      assertThat(s.spec().encryptedData()).containsOnlyKeys(items(file.path("secretEnv")));
    }

    @Test
    void envMayBeAListOfEnvVarObjects() {
      Container c = app(Charts.named(ledger("dev", Matrix.stableOnly(), LEDGER.resolve("env-as-list.yaml")), Deployment.class, "ledger"));
      assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("POD_IP")).singleElement()
          .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP"));
      assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("LEDGER_MODE")).singleElement()
          .satisfies(e -> assertThat(e.getValue()).isEqualTo("append-only"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"config.HTTP_PORT,9090", "env.LEDGER_CURRENCY,USD", "config.LEDGER_DB_PASSWORD,x"})
    void aVariableSetTwiceFailsTheRender(String key, String value) {
      String name = key.substring(key.indexOf('.') + 1);
      assertThatThrownBy(() -> ledger("dev", Map.of(key, value))).hasMessageContaining("environment variable " + name + " is set twice");
    }

    @Test
    void theChartNamesNoVariableOfAnyService() throws IOException {
      Set<String> servicesOwn = new TreeSet<>(placeholders("greeter").keySet());
      servicesOwn.addAll(placeholders("timezones").keySet());
      servicesOwn.removeAll(placeholders("common").keySet());
      assertThat(servicesOwn).as("the services' own variables (sanity)").contains("GREETING", "TIMEZONES_URL");
      List<Path> shared = new ArrayList<>();
      try (Stream<Path> templates = Files.walk(Charts.SERVICE_CHART.resolve("templates"))) {
        templates.filter(Files::isRegularFile).forEach(shared::add);
      }
      for (String f : List.of("values.yaml", "values.schema.json", "values-dev.yaml", "values-prod.yaml")) {
        shared.add(Charts.SERVICE_CHART.resolve(f));
      }
      for (Path f : shared) {
        String text = Files.readString(f);
        assertThat(servicesOwn).as("service variables named in %s", f)
            .noneMatch(v -> Pattern.compile("\\b" + v + "\\b").matcher(text).find());
      }
    }
  }
}
