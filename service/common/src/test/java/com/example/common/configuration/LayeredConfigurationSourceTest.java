package com.example.common.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayeredConfigurationSourceTest {

  @TempDir Path dir;

  private JsonNode open(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("service.yml");
    Files.writeString(file, yaml);
    try (InputStream resolved = new LayeredConfigurationSource(env).open(file.toString())) {
      return new YAMLMapper().readTree(resolved);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain",
        "a: \"b\" # not a comment",
        "yes",
        "0123",
        "multi\nline\ttab",
        "back\\slash and 'single' quotes",
        "${NOT_EXPANDED}",
        "ünïcødé ✓",
        "- [list, like] {map: like}"
      })
  void anyValueReachesTheConfigurationUnchangedAndAsAString(String value) throws Exception {
    JsonNode config = open("secret: ${SECRET:-}\n", Map.of("SECRET", value, "NOT_EXPANDED", "x"));

    assertThat(config.get("secret").isTextual()).isTrue();
    assertThat(config.get("secret").textValue()).isEqualTo(value);
  }

  @Test
  void unsetVariablesTakeTheirDefaultAndAnEmptyOneIsAbsent() throws Exception {
    JsonNode config = open("secret: ${SECRET:-}\nport: ${PORT:-8080}\n", Map.of());

    assertThat(config.get("port").asInt()).isEqualTo(8080);
    assertThat(config.get("secret").isNull()).isTrue();
    assertThat(open("secret: ${SECRET:-}\n", Map.of("SECRET", "")).get("secret").isNull()).isTrue();
  }

  @Test
  void setVariablesOverrideTheDefault() throws Exception {
    assertThat(open("port: ${PORT:-8080}\n", Map.of("PORT", "9000")).get("port").asText())
        .isEqualTo("9000");
  }

  @Test
  void theServiceFileIsLaidOverTheSharedSettings() throws Exception {
    JsonNode config =
        open(
            "greeting: hi\n"
                + "server:\n"
                + "  shutdownGracePeriod: 3s\n"
                + "  adminConnectors: [{type: http, port: 9999}]\n",
            Map.of("HTTP_PORT", "7000"));

    assertThat(config.get("greeting").asText()).isEqualTo("hi");
    assertThat(config.at("/server/shutdownGracePeriod").asText())
        .as("own value wins")
        .isEqualTo("3s");
    assertThat(config.at("/server/applicationConnectors/0/port").asText())
        .as("shared value kept where the file is silent, and substituted")
        .isEqualTo("7000");
    assertThat(config.at("/server/adminConnectors")).as("a list is replaced whole").hasSize(1);
    assertThat(config.at("/server/adminConnectors/0/port").asInt()).isEqualTo(9999);
    assertThat(config.at("/logging/appenders/0/layout/type").asText()).isEqualTo("logstash");
  }

  @Test
  void anEmptyServiceFileMeansTheSharedSettingsAlone() throws Exception {
    JsonNode config = open("# nothing of its own\n", Map.of());

    assertThat(config.at("/server/adminConnectors/0/port").asText()).isEqualTo("8081");
  }

  @Test
  void readsTheServiceFileFromTheClasspathWhenNoFileExists() throws Exception {
    LayeredConfigurationSource source = new LayeredConfigurationSource(Map.of());
    try (InputStream shared = source.open(LayeredConfigurationSource.SHARED)) {
      assertThat(new YAMLMapper().readTree(shared).at("/server/type").asText())
          .isEqualTo("default");
    }
    assertThatThrownBy(() -> source.open("nowhere.yml"))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("nowhere.yml");
  }

  @Test
  void variablesAreReadFromTheLayeredFileBeforeSubstitution() throws Exception {
    Path file = dir.resolve("service.yml");
    Files.writeString(file, "greeting: ${GREETING:-}\n");

    Map<String, String> variables =
        new LayeredConfigurationSource(Map.of("GREETING", "set"))
            .variables(file.toString())
            .bySetting();

    assertThat(variables)
        .containsEntry("greeting", "GREETING")
        .containsEntry("server.applicationConnectors[0].port", "HTTP_PORT")
        .containsEntry("server.adminConnectors[0].port", "ADMIN_PORT");
  }
}
