package verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Istio's injection webhook applied, by its own selection rule ({@link IstioInjection}), to every pod the
 * platform and the service chart make: the edge, both services and their canaries must be injected; the helm
 * test pods and cert-manager's ACME solver must not even be sent to the injector (kept out by LABEL, so no
 * annotation or injector policy can change it).
 */
class InjectionSeamTest {

  static final Set<String> MESHED = Set.of("edge", "greeter", "greeter-canary", "timezones", "timezones-canary");
  static final Set<String> UNMESHED = Set.of("greeter-test", "timezones-test", "acme-solver");

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyPodIsInOrOutOfTheMeshAsItsFlowsNeed(String env) {
    ClusterModel cluster = new ClusterModel(env, Matrix.canary(50));
    for (String role : MESHED) {
      ClusterModel.Endpoint pod = cluster.get(role);
      Map<String, String> ns = cluster.namespaceLabels(pod.namespace());
      assertThat(IstioInjection.selectingWebhook(ns, pod.labels()))
          .as("%s in namespace %s %s with pod labels %s: no injection webhook selects it", role, pod.namespace(), ns, pod.labels())
          .isNotNull();
      assertThat(cluster.injected(pod)).as("%s injected", role).isTrue();
    }
    for (String role : UNMESHED) {
      ClusterModel.Endpoint pod = cluster.get(role);
      assertThat(IstioInjection.selectingWebhook(cluster.namespaceLabels(pod.namespace()), pod.labels()))
          .as("%s must be kept out by the label sidecar.istio.io/inject=false (pod labels %s)", role, pod.labels())
          .isNull();
      assertThat(cluster.injected(pod)).as("%s injected", role).isFalse();
    }
  }

  /** The namespace the edge runs in is created by the platform chart, labelled, before the ingress part. */
  @Test
  void theEdgeNamespaceIsRenderedByThePlatformWithItsInjectionLabel() {
    ClusterModel cluster = new ClusterModel("prod", Matrix.stableOnly());
    assertThat(cluster.namespaceLabels).containsKey(ClusterModel.EDGE_NAMESPACE);
    assertThat(cluster.namespaceLabels(ClusterModel.EDGE_NAMESPACE)).containsEntry("istio-injection", "enabled");
  }

  /** The rule itself, on the cases that decided issue 11 (the annotation alone never reaches the injector). */
  @Test
  void theWebhookSelectsByLabelsNeverByAnnotation() {
    Map<String, String> unlabelled = Map.of("kubernetes.io/metadata.name", "nginx-ingress");
    Map<String, String> injectionNs = Map.of("istio-injection", "enabled");
    assertThat(IstioInjection.injected(unlabelled, Map.of(), Map.of("sidecar.istio.io/inject", "true"), false)).isFalse();
    assertThat(IstioInjection.selectingWebhook(unlabelled, Map.of("sidecar.istio.io/inject", "true")))
        .isEqualTo("object.sidecar-injector.istio.io");
    assertThat(IstioInjection.selectingWebhook(injectionNs, Map.of())).isEqualTo("namespace.sidecar-injector.istio.io");
    assertThat(IstioInjection.selectingWebhook(injectionNs, Map.of("sidecar.istio.io/inject", "false"))).isNull();
    // Selected by the namespace but opted out by the (deprecated) annotation: the injector skips it.
    assertThat(IstioInjection.injected(injectionNs, Map.of(), Map.of("sidecar.istio.io/inject", "false"), false)).isFalse();
    // A revision label on the namespace hands the pod to that revision's webhooks only.
    assertThat(IstioInjection.selectingWebhook(Map.of("istio.io/rev", "canary"), Map.of())).isNull();
    assertThat(IstioInjection.selectingWebhook(Map.of("istio.io/rev", "default"), Map.of())).isEqualTo("rev.namespace.sidecar-injector.istio.io");
    assertThat(IstioInjection.injected(injectionNs, Map.of(), Map.of(), true)).as("hostNetwork").isFalse();
  }

  /**
   * F5's guide: inbound 80/443 bypass Envoy (the load balancer talks TLS to NGINX itself), upstreams go
   * through the sidecar; the injection is by label, so no annotation may pretend to do it.
   */
  @Test
  void theEdgePodTakesOnlyOutboundTrafficThroughItsSidecar() {
    ClusterModel.Endpoint edge = new ClusterModel("prod", Matrix.stableOnly()).get("edge");
    assertThat(edge.labels()).containsEntry("sidecar.istio.io/inject", "true");
    assertThat(edge.annotations()).doesNotContainKey("sidecar.istio.io/inject");
    for (int port : List.of(80, 443)) {
      assertThat(IstioTraffic.inboundCaptured(edge, port)).as("inbound %d captured", port).isFalse();
    }
    assertThat(IstioTraffic.outboundCaptured(edge, 8080)).as("upstream calls go through the sidecar").isTrue();
  }
}
