package verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.certmanager.api.model.v1.ClusterIssuer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** charts/platform: namespaces, quotas, RBAC (checked against what the service chart really renders), issuers. */
class PlatformChartTest {

  static final List<String> WRITE = List.of("get", "list", "watch", "create", "update", "patch", "delete");
  static final Map<Class<?>, String> CUSTOM_RESOURCES = Map.of(
      CrdModels.VirtualServer.class, "k8s.nginx.org/virtualservers",
      CrdModels.VirtualServerRoute.class, "k8s.nginx.org/virtualserverroutes",
      CrdModels.SealedSecret.class, "bitnami.com/sealedsecrets",
      CrdModels.ExternalSecret.class, "external-secrets.io/externalsecrets");
  /** Beyond the chart's own kinds: Helm's release records (Secrets), helm test logs, rollout status. */
  static final Set<String> EXTRA_READS = Set.of("/pods/log", "/events", "apps/replicasets");

  static List<Object> platform() {
    return Charts.parseAll(Charts.renderPlatform());
  }

  /** group/resource of every object any values combination of the service chart renders. */
  static Set<String> renderedResources() {
    Set<String> resources = new HashSet<>();
    for (Matrix m : Matrix.all()) {
      for (Object o : Charts.parseAll(m.render())) {
        String custom = CUSTOM_RESOURCES.get(o.getClass());
        if (custom != null) {
          resources.add(custom);
        } else {
          @SuppressWarnings("unchecked")
          Class<? extends HasMetadata> type = (Class<? extends HasMetadata>) o.getClass();
          String group = HasMetadata.getGroup(type);
          resources.add((group == null ? "" : group) + "/" + HasMetadata.getPlural(type));
        }
      }
    }
    return resources;
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
  void deployerRoleCoversExactlyWhatTheReleaseNeedsWithoutWildcards() {
    List<Object> objects = platform();
    assertThat(Charts.ofType(objects, ClusterRole.class)).isEmpty();
    assertThat(Charts.ofType(objects, ClusterRoleBinding.class)).isEmpty();
    Set<String> needed = renderedResources();
    assertThat(needed).contains("apps/deployments", "networking.istio.io/virtualservices", "/pods", "k8s.nginx.org/virtualservers");
    for (String ns : List.of("dev", "prod")) {
      Role deployer = Charts.ofType(objects, Role.class).stream()
          .filter(r -> r.getMetadata().getName().equals("deployer") && r.getMetadata().getNamespace().equals(ns)).findFirst().orElseThrow();
      for (String resource : needed) {
        assertThat(verbs(deployer, resource)).as("deployer in %s on %s", ns, resource).containsAll(WRITE);
      }
      Set<String> granted = new HashSet<>();
      for (PolicyRule rule : deployer.getRules()) {
        for (String g : rule.getApiGroups()) {
          for (String r : rule.getResources()) {
            granted.add(g + "/" + r);
          }
        }
      }
      Set<String> allowed = new HashSet<>(needed);
      allowed.addAll(EXTRA_READS);
      allowed.add("/secrets");
      assertThat(granted).as("nothing beyond the chart's kinds").isSubsetOf(allowed);
      for (String extra : EXTRA_READS) {
        assertThat(verbs(deployer, extra)).as(extra).isSubsetOf("get", "list", "watch");
      }
      RoleBinding binding = Charts.ofType(objects, RoleBinding.class).stream()
          .filter(b -> b.getMetadata().getName().equals("deployer") && b.getMetadata().getNamespace().equals(ns)).findFirst().orElseThrow();
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
        assertThat(s.getKind()).isEqualTo("ServiceAccount");
        assertThat(s.getNamespace()).isEqualTo(ns);
      });
    }
  }

  @Test
  void developerRoleIsReadOnlyAndCannotReadSecrets() {
    for (Role role : Charts.ofType(platform(), Role.class)) {
      if (!role.getMetadata().getName().equals("developer")) {
        continue;
      }
      for (PolicyRule rule : role.getRules()) {
        assertThat(rule.getVerbs()).isSubsetOf("get", "list", "watch");
        assertThat(rule.getResources()).doesNotContain("secrets", "pods/exec", "pods/portforward");
      }
    }
  }

  @Test
  void noWildcardAnywhereInRbac() {
    for (Role role : Charts.ofType(platform(), Role.class)) {
      for (PolicyRule rule : role.getRules()) {
        assertThat(rule.getApiGroups()).doesNotContain("*");
        assertThat(rule.getResources()).doesNotContain("*");
        assertThat(rule.getVerbs()).doesNotContain("*");
      }
    }
  }

  private static List<String> verbs(Role role, String groupResource) {
    String group = groupResource.substring(0, groupResource.indexOf('/'));
    String resource = groupResource.substring(groupResource.indexOf('/') + 1);
    return role.getRules().stream()
        .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .flatMap(r -> r.getVerbs().stream()).toList();
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
