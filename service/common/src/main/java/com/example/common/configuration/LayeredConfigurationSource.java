package com.example.common.configuration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;

/**
 * The configuration a service runs with: {@value #SHARED} (the server, logging and request-log
 * settings every service shares) overlaid by the service's own file, then every {@code ${NAME}} or
 * {@code ${NAME:-default}} in a value replaced by the environment variable {@code NAME}.
 *
 * <p>The service's file is read from the file system when a file exists at the path given, else
 * from the classpath, so the jar runs with its embedded {@code <service>.yml} and an operator can
 * still point it at a file. Objects merge key by key; any other value in the service's file
 * replaces the shared one. Substitution works on the parsed values, so a variable's value always
 * arrives as one string, whatever characters it holds: it can neither reshape the document nor be
 * read as a number or boolean. A placeholder that resolves to nothing is an absent value (null).
 */
public final class LayeredConfigurationSource implements ConfigurationSourceProvider {

  /** Classpath resource with the settings every service shares. */
  public static final String SHARED = "com/example/common/configuration/shared.yml";

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StringSubstitutor substitutor;

  public LayeredConfigurationSource(Map<String, String> environment) {
    this.substitutor = new StringSubstitutor(environment::get);
    // A value is used as it is: a "${X}" inside a variable's value is not expanded again.
    substitutor.setDisableSubstitutionInValues(true);
  }

  @Override
  public InputStream open(String path) throws IOException {
    // JSON is YAML: Dropwizard's YAML reader takes the resolved tree as it is.
    return new ByteArrayInputStream(JSON.writeValueAsBytes(substituted(layered(path))));
  }

  /**
   * The environment variables the configuration at {@code path} reads, as written before
   * substitution; {@code path} null means the shared settings alone.
   */
  public SettingVariables variables(String path) throws IOException {
    return SettingVariables.in(layered(path));
  }

  /** The shared settings overlaid by the file at {@code path}, placeholders not yet resolved. */
  ObjectNode layered(String path) throws IOException {
    ObjectNode shared = read(SHARED);
    return path == null ? shared : merge(shared, read(path));
  }

  private static ObjectNode read(String path) throws IOException {
    try (InputStream input = openFileOrResource(path)) {
      JsonNode tree = YAML.readTree(input);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!tree.isObject()) {
        throw new IOException("configuration '" + path + "' is not a mapping of settings");
      }
      return (ObjectNode) tree;
    }
  }

  private static InputStream openFileOrResource(String path) throws IOException {
    Path file = Path.of(path);
    if (Files.isRegularFile(file)) {
      return Files.newInputStream(file);
    }
    String resource = path.startsWith("/") ? path.substring(1) : path;
    InputStream stream =
        Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
    if (stream == null) {
      throw new FileNotFoundException(
          "no configuration file or classpath resource named '" + path + "'");
    }
    return stream;
  }

  /** {@code overlay}'s settings written over {@code base}'s; returns {@code base}. */
  static ObjectNode merge(ObjectNode base, ObjectNode overlay) {
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = base.get(field.getKey());
      if (existing instanceof ObjectNode object && field.getValue() instanceof ObjectNode more) {
        merge(object, more);
      } else {
        base.set(field.getKey(), field.getValue());
      }
    }
    return base;
  }

  private JsonNode substituted(JsonNode node) {
    if (node instanceof ObjectNode object) {
      ObjectNode copy = object.objectNode();
      object.fields().forEachRemaining(f -> copy.set(f.getKey(), substituted(f.getValue())));
      return copy;
    }
    if (node instanceof ArrayNode array) {
      ArrayNode copy = array.arrayNode();
      array.forEach(item -> copy.add(substituted(item)));
      return copy;
    }
    if (node.isTextual() && node.textValue().contains("${")) {
      String value = substitutor.replace(node.textValue());
      return value.isEmpty()
          ? JsonNodeFactory.instance.nullNode()
          : JsonNodeFactory.instance.textNode(value);
    }
    return node;
  }
}
