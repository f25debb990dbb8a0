package com.example.common.configuration;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which environment variable sets which setting, read from the {@code ${NAME:-default}}
 * placeholders of a configuration: the one map from variables to settings, so that start-up errors
 * and the documentation name the variable an operator has to fix.
 */
public final class SettingVariables {

  /**
   * One placeholder: the setting's path as Dropwizard reports it ({@code server.adminConnectors[0]
   * .port}), the variable, and its default ({@code null} when the placeholder has none).
   */
  public record Setting(String path, String variable, String defaultValue) {}

  /** {@code ${NAME}} or {@code ${NAME:-default}}, not escaped as {@code $${...}}. */
  private static final Pattern PLACEHOLDER =
      Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final List<Setting> settings;

  private SettingVariables(List<Setting> settings) {
    this.settings = List.copyOf(settings);
  }

  /** The placeholders of a parsed configuration, in document order. */
  public static SettingVariables in(JsonNode configuration) {
    List<Setting> settings = new ArrayList<>();
    collect("", configuration, settings);
    return new SettingVariables(settings);
  }

  public List<Setting> all() {
    return settings;
  }

  /** Setting paths to the variable that sets each (the first one, if a value has several). */
  public Map<String, String> bySetting() {
    Map<String, String> variables = new LinkedHashMap<>();
    settings.forEach(setting -> variables.putIfAbsent(setting.path(), setting.variable()));
    return variables;
  }

  public Optional<Setting> of(String variable) {
    return settings.stream().filter(s -> s.variable().equals(variable)).findFirst();
  }

  private static void collect(String path, JsonNode node, List<Setting> settings) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              field ->
                  collect(
                      path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
                      field.getValue(),
                      settings));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(path + "[" + i + "]", node.get(i), settings);
      }
    } else if (node.isTextual()) {
      Matcher placeholder = PLACEHOLDER.matcher(node.textValue());
      while (placeholder.find()) {
        settings.add(new Setting(path, placeholder.group(1), placeholder.group(2)));
      }
    }
  }
}
