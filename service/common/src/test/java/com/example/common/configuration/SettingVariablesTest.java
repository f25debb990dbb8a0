package com.example.common.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.common.configuration.SettingVariables.Setting;
import com.example.common.testing.ConfigurationTable;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingVariablesTest {

  static SettingVariables of(String yaml) throws Exception {
    return SettingVariables.in(new YAMLMapper().readTree(yaml));
  }

  @Test
  void mapsEachPlaceholderToItsSettingPathAsTheValidatorWritesIt() throws Exception {
    SettingVariables variables =
        of(
            "a: ${A:-1s}\n"
                + "b:\n"
                + "  list:\n"
                + "    - port: ${PORT}\n"
                + "    - port: ${OTHER:-}\n"
                + "plain: no placeholder\n"
                + "escaped: $${NOT_A_VARIABLE}\n"
                + "two: ${X:-x}-${Y:-y}\n");

    assertThat(variables.all())
        .containsExactly(
            new Setting("a", "A", "1s"),
            new Setting("b.list[0].port", "PORT", null),
            new Setting("b.list[1].port", "OTHER", ""),
            new Setting("two", "X", "x"),
            new Setting("two", "Y", "y"));
    assertThat(variables.bySetting())
        .isEqualTo(
            Map.of("a", "A", "b.list[0].port", "PORT", "b.list[1].port", "OTHER", "two", "X"));
  }

  /** The rows of docs/configuration.md for the settings every service shares. */
  @Test
  void theDocumentedSharedVariablesAreExactlyTheOnesTheSharedConfigurationReads() throws Exception {
    ConfigurationTable.assertDocuments(
        "all", new LayeredConfigurationSource(Map.of()).variables(null));
  }
}
