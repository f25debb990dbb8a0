package verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Rendering with helm-java and strict reading into typed models, shared by every test. */
final class Charts {
  static final Path SERVICE_CHART = Path.of("charts/jvm-service");
  static final Path PLATFORM_CHART = Path.of("charts/platform");
  static final String KUBE_VERSION = "1.34.0";

  /** Kinds with no fabric8 model: read into the records of {@link CrdModels}, unknown fields fail. */
  static final Map<String, Class<?>> CUSTOM_KINDS =
      Map.of(
          "k8s.nginx.org/v1/VirtualServer", CrdModels.VirtualServer.class,
          "k8s.nginx.org/v1/VirtualServerRoute", CrdModels.VirtualServerRoute.class,
          "bitnami.com/v1alpha1/SealedSecret", CrdModels.SealedSecret.class,
          "external-secrets.io/v1/ExternalSecret", CrdModels.ExternalSecret.class,
          "external-secrets.io/v1/ClusterSecretStore", PlatformCrdModels.ClusterSecretStore.class,
          "kyverno.io/v1/ClusterPolicy", PlatformCrdModels.ClusterPolicy.class);

  static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  /**
   * helm-java's template returns the release manifest without hooks, so the helm test pod would never be
   * checked. The renders therefore use a copy of the chart in target/ where the test templates lose their
   * "helm.sh/hook" annotation lines (and nothing else); HelmTestPodTest checks the real file keeps them.
   */
  static final Path RENDERED_CHART = unhookedCopy(SERVICE_CHART);

  private static Path unhookedCopy(Path chart) {
    Path target = Path.of("charts/verify/target/unhooked").resolve(chart.getFileName());
    try {
      if (Files.exists(target)) {
        try (var walk = Files.walk(target)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      try (var walk = Files.walk(chart)) {
        for (Path src : (Iterable<Path>) walk::iterator) {
          Path dst = target.resolve(chart.relativize(src).toString());
          if (Files.isDirectory(src)) {
            Files.createDirectories(dst);
          } else if (src.getParent().endsWith("tests")) {
            String text = Files.readString(src).replaceAll("(?m)^\\s*\"helm\\.sh/hook[^\n]*\n", "");
            Files.writeString(dst, text);
          } else {
            Files.copy(src, dst);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  private Charts() {}

  /** A release of charts/jvm-service: service (greeter|timezones), env (dev|prod), extra --set pairs. */
  static String renderService(String service, String env, Map<String, String> sets) {
    return renderRelease(service, env, List.of(SERVICE_CHART.resolve("values-" + service + ".yaml")), sets);
  }

  /**
   * A release named {@code release} in namespace {@code env}: the service's values files, then
   * values-ENV.yaml, then --set pairs (the order scripts/deploy passes them).
   */
  static String renderRelease(String release, String env, List<Path> serviceValues, Map<String, String> sets) {
    String key = release + "/" + env + "/" + serviceValues + "/" + new java.util.TreeMap<>(sets);
    return CACHE.computeIfAbsent(
        key,
        k -> {
          TemplateCommand t =
              new Helm(RENDERED_CHART)
                  .template()
                  .withName(release)
                  .withNamespace(env)
                  .withKubeVersion(KUBE_VERSION);
          serviceValues.forEach(t::withValuesFile);
          t.withValuesFile(SERVICE_CHART.resolve("values-" + env + ".yaml"));
          sets.forEach(t::set);
          return t.call();
        });
  }

  static String renderPlatform() {
    return CACHE.computeIfAbsent(
        "platform",
        k ->
            new Helm(PLATFORM_CHART)
                .template()
                .withName("platform")
                .withNamespace("default")
                .withKubeVersion(KUBE_VERSION)
                .call());
  }

  /** Splits a multi-document YAML stream, dropping empty and comment-only documents. */
  static List<String> documents(String yaml) {
    List<String> docs = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      boolean hasContent =
          doc.lines().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
      if (hasContent) {
        docs.add(doc);
      }
    }
    return docs;
  }

  /** Every document of a stream, each read strictly. */
  static List<Object> parseAll(String yaml) {
    return documents(yaml).stream().map(Charts::parseStrict).collect(Collectors.toList());
  }

  /**
   * Reads one document into its typed model. fabric8 keeps unknown fields in additionalProperties
   * instead of failing, so after reading, the whole object graph is walked and any non-empty
   * additionalProperties fails: a field the API does not have is an error.
   */
  static Object parseStrict(String doc) {
    JsonNode node;
    try {
      node = YAML.readTree(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String gvk = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
    Class<?> custom = CUSTOM_KINDS.get(gvk);
    if (custom != null) {
      try {
        return YAML.treeToValue(node, custom);
      } catch (IOException e) {
        throw new IllegalArgumentException(gvk + ": " + e.getMessage(), e);
      }
    }
    KubernetesResource resource = Serialization.unmarshal(doc);
    if (resource instanceof GenericKubernetesResource) {
      throw new IllegalArgumentException("no typed model for " + gvk);
    }
    List<String> unknown = new ArrayList<>();
    walk(resource, gvk, unknown, new IdentityHashMap<>());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown fields: " + unknown);
    }
    return resource;
  }

  private static void walk(Object o, String path, List<String> unknown, Map<Object, Boolean> seen) {
    if (o == null || seen.containsKey(o)) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        walk(e, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    seen.put(o, Boolean.TRUE);
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || m.getDeclaringClass() == Object.class
          || !(m.getName().startsWith("get") || m.getName().startsWith("is"))) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + " " + extra.keySet());
        }
        continue;
      }
      walk(value, path + "." + m.getName(), unknown, seen);
    }
  }

  static <T> List<T> ofType(List<Object> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  static <T extends HasMetadata> T named(List<Object> objects, Class<T> type, String name) {
    List<T> found =
        ofType(objects, type).stream()
            .filter(o -> o.getMetadata().getName().equals(name))
            .collect(Collectors.toList());
    assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
    return found.get(0);
  }

  static JsonNode readYamlFile(Path file) {
    try {
      return YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Set<String> kindsOf(List<Object> objects) {
    return objects.stream().map(o -> o.getClass().getSimpleName()).collect(Collectors.toSet());
  }
}
