package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** helm lint --strict, and values.schema.json / template guards rejecting wrong values. */
class SchemaAndLintTest {

  @Test
  void serviceChartLintsStrictly() {
    LintResult lint = new Helm(Charts.SERVICE_CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void platformChartLintsStrictly() {
    LintResult lint = new Helm(Charts.PLATFORM_CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @ParameterizedTest(name = "{0}={1} is rejected")
  @CsvSource(
      delimiter = '|',
      value = {
        "replicaCount|three|replicaCount",
        "replicaCount|0|replicaCount",
        "replicaCaunt|3|replicaCaunt",
        "canary.weight|101|weight",
        "canary.weight|-1|weight",
        "canary.wieght|10|wieght",
        "image.tag|latest|tag",
        "canary.image.tag|latest|tag",
        "secret.mode|vault|mode",
        "service.port|http|port",
        "mesh.timeout|5 seconds|timeout",
        "config.LOG_LEVEL|LOUD|LOG_LEVEL",
        "config.greeting|Hello|greeting",
        "env.log-level|x|log-level",
        "env[0].valeu|x|valeu",
        "secretEnv[0]|api_key|secretEnv",
        "secret.enabled|true|enabled",
        "secret.plain.dummyApiKey|k|dummyApiKey",
        "ingress.tls.clusterIssuer|letsencrypt|clusterIssuer",
        "autoscaling.enabled|yes|enabled",
        "autoscaling.targetMemoryUtilizationPercentage|80|targetMemoryUtilizationPercentage",
        "image.digest|sha256:abc|digest",
        "image.digest|1a2b3c4d|digest",
        "canary.image.digest|latest|digest",
        "canary.scaleFor|101|scaleFor",
        "canary.replicaCount|1|replicaCount",
        "provenance.pipeline|a b|pipeline",
      })
  void wrongValuesFailTheSchema(String key, String value, String named) {
    assertThatThrownBy(() -> Charts.renderService("greeter", "prod", Map.of(key, value)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  @Test
  void aTypoInAListItemFailsToo() {
    assertThatThrownBy(() -> Charts.renderService("greeter", "prod", Map.of("mesh.allow[0].serviceAcount", "x")))
        .hasMessageContaining("serviceAcount");
  }

  @Test
  void theSameValuesWithTheRightSpellingRender() {
    Map<String, String> sets = new java.util.HashMap<>(Matrix.stableOnly());
    sets.putAll(Map.of("replicaCount", "4", "canary.weight", "100"));
    assertThat(Charts.renderService("greeter", "prod", sets)).contains("kind: Deployment");
  }

  @Test
  void templateGuardsCatchWhatTheSchemaCannot() {
    assertThatThrownBy(() -> Charts.renderService("greeter", "dev", Map.of("canary.enabled", "true")))
        .hasMessageContaining("canary.image.digest or canary.image.tag is required");
    assertThatThrownBy(() -> Charts.renderService("greeter", "dev", Map.of("secret.mode", "existing")))
        .hasMessageContaining("secret.existingName is required");
    assertThatThrownBy(() -> Charts.renderService("greeter", "dev", Map.of("secret.mode", "sealed")))
        .hasMessageContaining("encryptedData.DUMMY_API_KEY is required");
  }
}
