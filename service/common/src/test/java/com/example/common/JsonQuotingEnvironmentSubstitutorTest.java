package com.example.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonQuotingEnvironmentSubstitutorTest {

  private static final String TEMPLATE = "secret: ${SECRET:-}\nport: ${PORT:-8080}\n";

  private static JsonNode render(Map<String, String> env) throws Exception {
    String yaml = new JsonQuotingEnvironmentSubstitutor(env).replace(TEMPLATE);
    return new YAMLMapper().readTree(yaml);
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
  void anyValueReachesTheConfigurationUnchanged(String value) throws Exception {
    assertThat(render(Map.of("SECRET", value)).get("secret").textValue()).isEqualTo(value);
  }

  @Test
  void unsetVariablesTakeTheirDefault() throws Exception {
    JsonNode config = render(Map.of());
    assertThat(config.get("port").asInt()).isEqualTo(8080);
    assertThat(config.get("secret").isNull()).isTrue();
  }

  @Test
  void setVariablesOverrideTheDefault() throws Exception {
    assertThat(render(Map.of("PORT", "9000")).get("port").asText()).isEqualTo("9000");
  }
}
