package verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.certmanager.api.model.v1.ClusterIssuer;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** charts/platform: namespaces, quotas, network defaults, issuers (its RBAC: RbacTest). */
class PlatformChartTest {

  static List<Object> platform() {
    return Charts.parseAll(Charts.renderPlatform());
  }

  @Test
  void namespacesAreMeshedAndRestricted() {
    List<Namespace> namespaces = Charts.ofType(platform(), Namespace.class);
    // dev, prod and the edge's namespace (labelled before the controller is installed, see InjectionSeamTest).
    assertThat(namespaces).extracting(n -> n.getMetadata().getName()).containsExactly("dev", "prod", "nginx-ingress");
    assertThat(namespaces).allSatisfy(n -> assertThat(n.getMetadata().getLabels())
        .containsEntry("istio-injection", "enabled")
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted"));
    assertThat(Charts.ofType(platform(), ResourceQuota.class)).extracting(q -> q.getMetadata().getNamespace()).containsExactly("dev", "prod");
    assertThat(Charts.ofType(platform(), LimitRange.class)).extracting(q -> q.getMetadata().getNamespace()).containsExactly("dev", "prod");
  }

  @Test
  void letsEncryptIssuersSolveHttp01ThroughTheNginxClass() {
    List<ClusterIssuer> issuers = Charts.ofType(platform(), ClusterIssuer.class);
    assertThat(issuers).extracting(i -> i.getMetadata().getName()).containsExactlyInAnyOrder("letsencrypt-staging", "letsencrypt-prod");
    for (ClusterIssuer i : issuers) {
      var acme = i.getSpec().getAcme();
      assertThat(acme.getServer()).startsWith("https://acme-").endsWith("/directory");
      assertThat(acme.getServer().contains("staging")).isEqualTo(i.getMetadata().getName().endsWith("staging"));
      assertThat(acme.getSolvers()).singleElement().satisfies(s ->
          assertThat(s.getHttp01().getIngress().getIngressClassName()).isEqualTo("nginx"));
    }
  }

  @Test
  void networkDefaultsDenyAndLetTheIngressReachTheAcmeSolver() {
    List<NetworkPolicy> policies = Charts.ofType(platform(), NetworkPolicy.class);
    for (String ns : List.of("dev", "prod")) {
      NetworkPolicy deny = policies.stream().filter(p -> p.getMetadata().getName().equals("default-deny") && p.getMetadata().getNamespace().equals(ns)).findFirst().orElseThrow();
      assertThat(deny.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
      assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
      assertThat(deny.getSpec().getEgress()).isNullOrEmpty();
      NetworkPolicy acme = policies.stream().filter(p -> p.getMetadata().getName().equals("allow-acme-http01-solver") && p.getMetadata().getNamespace().equals(ns)).findFirst().orElseThrow();
      assertThat(acme.getSpec().getPodSelector().getMatchLabels()).containsEntry("acme.cert-manager.io/http01-solver", "true");
      assertThat(acme.getSpec().getIngress().get(0).getFrom().get(0).getNamespaceSelector().getMatchLabels())
          .containsEntry("kubernetes.io/metadata.name", "nginx-ingress");
    }
  }

  /** Every container the service chart renders fits under the namespace's LimitRange maximum. */
  @Test
  void containersFitTheLimitRange() {
    for (String env : List.of("dev", "prod")) {
      LimitRange lr = Charts.ofType(platform(), LimitRange.class).stream().filter(l -> l.getMetadata().getNamespace().equals(env)).findFirst().orElseThrow();
      Map<String, Quantity> max = lr.getSpec().getLimits().get(0).getMax();
      for (String service : Matrix.SERVICES) {
        List<Object> objects = Charts.parseAll(Charts.renderService(service, env, Matrix.canary(50)));
        List<io.fabric8.kubernetes.api.model.Container> containers = new java.util.ArrayList<>();
        Charts.ofType(objects, io.fabric8.kubernetes.api.model.apps.Deployment.class).forEach(d -> containers.addAll(d.getSpec().getTemplate().getSpec().getContainers()));
        Charts.ofType(objects, io.fabric8.kubernetes.api.model.Pod.class).forEach(p -> containers.addAll(p.getSpec().getContainers()));
        for (var c : containers) {
          for (String r : List.of("cpu", "memory")) {
            assertThat(amount(c.getResources().getLimits().get(r))).as("%s %s %s limit", env, c.getName(), r).isLessThanOrEqualTo(amount(max.get(r)));
          }
        }
      }
    }
  }

  @Test
  void prodNeverKeepsSecretValuesInGit() {
    JsonNode prod = Charts.readYamlFile(Path.of("charts/jvm-service/values-prod.yaml")).path("secret");
    assertThat(prod.path("mode").asText()).isIn("existing", "sealed", "external");
    assertThat(prod.has("plain")).isFalse();
    assertThat(Charts.readYamlFile(Path.of("charts/jvm-service/values-dev.yaml")).path("secret").path("mode").asText()).isEqualTo("plain");
  }

  private static BigDecimal amount(Quantity q) {
    return Quantity.getAmountInBytes(q);
  }

  private static BigDecimal amount(String q) {
    return Quantity.getAmountInBytes(new Quantity(q));
  }
}
