package com.example.timezones;

import com.example.common.configuration.SettingVariables;
import com.example.common.testing.ConfigurationTable;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists exactly the variables timezones.yml reads (see ConfigurationTable).
 */
class TimezonesConfigurationDocsTest {

  @Test
  void theDocumentedVariablesAreExactlyTheOnesTimezonesYmlReads() throws Exception {
    try (InputStream yaml = getClass().getResourceAsStream("/timezones.yml")) {
      var tree = new YAMLMapper().readTree(yaml);
      ConfigurationTable.assertDocuments(
          "timezones",
          SettingVariables.in(tree == null ? JsonNodeFactory.instance.objectNode() : tree));
    }
  }
}
