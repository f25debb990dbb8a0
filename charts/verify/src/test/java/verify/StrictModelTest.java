package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strict reading itself: a field the API does not have must fail, wherever it is. */
class StrictModelTest {

  private static String firstDocument(String kind) {
    String rendered = Charts.renderService("greeter", "prod", Matrix.canary(10));
    return Charts.documents(rendered).stream().filter(d -> d.contains("\nkind: " + kind + "\n")).findFirst().orElseThrow();
  }

  @Test
  void aRenderedDeploymentReadsCleanly() {
    assertThat(Charts.parseStrict(firstDocument("Deployment"))).isInstanceOf(Deployment.class);
  }

  @Test
  void aMisspeltDeploymentFieldFails() {
    String wrong = firstDocument("Deployment").replace("  revisionHistoryLimit: 5", "  revisionHistoryLimt: 5");
    assertThatThrownBy(() -> Charts.parseStrict(wrong)).hasMessageContaining("revisionHistoryLimt");
  }

  @Test
  void aWrongFieldDeepInAContainerFails() {
    String wrong = firstDocument("Deployment").replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true");
    assertThatThrownBy(() -> Charts.parseStrict(wrong)).hasMessageContaining("readOnlyRootFileSystem");
  }

  @Test
  void aWrongIstioFieldFails() {
    String wrong = firstDocument("VirtualService").replace("perTryTimeout:", "perTryTimout:");
    assertThatThrownBy(() -> Charts.parseStrict(wrong)).hasMessageContaining("perTryTimout");
    String wrongDr = firstDocument("DestinationRule").replace("outlierDetection:", "outlierDetect:");
    assertThatThrownBy(() -> Charts.parseStrict(wrongDr)).hasMessageContaining("outlierDetect");
  }

  @Test
  void aWrongPrometheusOperatorFieldFails() {
    String wrong = firstDocument("ServiceMonitor").replace("podTargetLabels:", "podTargetLabel:");
    assertThatThrownBy(() -> Charts.parseStrict(wrong)).hasMessageContaining("podTargetLabel");
  }

  @Test
  void aWrongNginxFieldFails() {
    String wrong = firstDocument("VirtualServerRoute").replace("use-cluster-ip:", "useClusterIP:");
    assertThatThrownBy(() -> Charts.parseStrict(wrong)).hasMessageContaining("useClusterIP");
  }

  @Test
  void anUnknownKindFails() {
    String doc = "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: x\n";
    assertThatThrownBy(() -> Charts.parseStrict(doc)).hasMessageContaining("no typed model");
  }

  @Test
  void everyKindOfTheChartHasATypedModel() {
    List<Object> objects = Charts.parseAll(Charts.renderService("greeter", "prod", Matrix.canary(10)));
    assertThat(objects).noneMatch(o -> o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource);
  }
}
