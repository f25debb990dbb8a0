package com.example.greeter;

import com.example.common.configuration.SettingVariables;
import com.example.common.testing.ConfigurationTable;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists exactly the variables greeter.yml reads (see ConfigurationTable). */
class GreeterConfigurationDocsTest {

  @Test
  void theDocumentedVariablesAreExactlyTheOnesGreeterYmlReads() throws Exception {
    try (InputStream yaml = getClass().getResourceAsStream("/greeter.yml")) {
      ConfigurationTable.assertDocuments(
          "greeter", SettingVariables.in(new YAMLMapper().readTree(yaml)));
    }
  }
}
