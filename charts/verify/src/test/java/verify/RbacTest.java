package verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's identity in the cluster. The deploy jobs' cluster commands are listed in
 * scripts/test/fixtures/pipeline/deployer-commands.txt (scripts/test/deployer-commands.bats keeps the
 * list equal to what the scripts really run); each command is turned here into the API requests Helm
 * and kubectl make, and the deployer's Roles must grant exactly those: nothing missing (a deploy would
 * be forbidden half-way) and nothing more.
 */
class RbacTest {
  static final Path COMMANDS = Path.of("scripts/test/fixtures/pipeline/deployer-commands.txt");
  static final Set<String> APPLY = Set.of("get", "create", "patch", "delete");

  /** One kind of API request: scope (release | prometheus | cluster), group/resource, verb. */
  record Request(String scope, String resource, String verb) {}

  static List<Object> platform() {
    return Charts.parseAll(Charts.renderPlatform());
  }

  static JsonNode platformValues() {
    return Charts.readYamlFile(Charts.PLATFORM_CHART.resolve("values.yaml"));
  }

  /**
   * group/plural of every object the service chart renders with any values; Pods only come from its
   * `helm test` hook, whose requests are those of `helm test`.
   */
  static Set<String> chartResources() {
    Set<String> resources = new TreeSet<>();
    for (Matrix m : Matrix.all()) {
      for (Object o : Charts.parseAll(m.render())) {
        String custom = CUSTOM_RESOURCES.get(o.getClass());
        if (custom != null) {
          resources.add(custom);
        } else if (!(o instanceof io.fabric8.kubernetes.api.model.Pod)) {
          @SuppressWarnings("unchecked")
          Class<? extends HasMetadata> type = (Class<? extends HasMetadata>) o.getClass();
          String group = HasMetadata.getGroup(type);
          resources.add((group == null ? "" : group) + "/" + HasMetadata.getPlural(type));
        }
      }
    }
    return resources;
  }

  static final Map<Class<?>, String> CUSTOM_RESOURCES = Map.of(
      CrdModels.VirtualServer.class, "k8s.nginx.org/virtualservers",
      CrdModels.VirtualServerRoute.class, "k8s.nginx.org/virtualserverroutes",
      CrdModels.SealedSecret.class, "bitnami.com/sealedsecrets",
      CrdModels.ExternalSecret.class, "external-secrets.io/externalsecrets");

  static Stream<Request> each(String scope, String resource, String... verbs) {
    return Stream.of(verbs).map(v -> new Request(scope, resource, v));
  }

  /**
   * The API requests of one command shape, as Helm 3.17 and kubectl make them:
   * <ul>
   *   <li>Helm keeps each release revision in a Secret (helm pkg/storage/driver/secrets.go): Get, List
   *       by the owner=helm label (status, history, get, the last release), Create (a new revision),
   *       Update (the previous one becomes superseded, a test result is recorded), Delete (pruning
   *       beyond --history-max, uninstall).
   *   <li>upgrade and rollback apply the manifest (pkg/kube/client.go): Get each object (existing or
   *       not), Create the new ones, Patch the changed ones (a three-way merge patch: never PUT without
   *       --force), Delete those the release no longer renders; --wait (pkg/kube/ready.go) Gets each
   *       Deployment and Lists ReplicaSets to find its new one.
   *   <li>test (pkg/action/release_testing.go): the hook pod is deleted (before-hook-creation),
   *       Created, watched until it ends (List and Watch by name), its log read (--logs), deleted.
   *   <li>uninstall --wait: each object Deleted, then polled with Get until it is gone.
   *   <li>kubectl rollout status: Get, then List and Watch the Deployment by name; kubectl get NAME: Get;
   *       kubectl apply: Get, then Create or Patch; kubectl port-forward pod/NAME: Get the pod, then
   *       pods/portforward as a POST (create) or, from kubectl 1.31 on, a WebSocket upgrade (get).
   * </ul>
   */
  static Stream<Request> requests(String shape, String scope, Set<String> chart) {
    Stream<Request> readRelease = each(scope, "/secrets", "get", "list");
    Stream<Request> writeRelease = each(scope, "/secrets", "get", "list", "create", "update", "delete");
    return switch (shape) {
      case "helm status", "helm get values", "helm get manifest", "helm history" -> readRelease;
      case "helm upgrade", "helm rollback" -> Stream.of(writeRelease,
          chart.stream().flatMap(r -> each(scope, r, APPLY.toArray(String[]::new))),
          each(scope, "apps/deployments", "get"), each(scope, "apps/replicasets", "list")).flatMap(s -> s);
      case "helm test" -> Stream.of(writeRelease, each(scope, "/pods", "get", "list", "watch", "create", "delete"),
          each(scope, "/pods/log", "get")).flatMap(s -> s);
      case "helm uninstall" -> Stream.concat(writeRelease, chart.stream().flatMap(r -> each(scope, r, "get", "delete")));
      case "kubectl apply" -> each(scope, "/secrets", "get", "create", "patch");
      case "kubectl rollout status deployment" -> each(scope, "apps/deployments", "get", "list", "watch");
      case "kubectl get deployment" -> each(scope, "apps/deployments", "get");
      case "kubectl get horizontalpodautoscaler" -> each(scope, "autoscaling/horizontalpodautoscalers", "get");
      case "kubectl get clustersecretstore" -> each(scope, "external-secrets.io/clustersecretstores", "get");
      case "kubectl port-forward pod" -> Stream.concat(each(scope, "/pods", "get"), each(scope, "/pods/portforward", "get", "create"));
      default -> throw new AssertionError("no API requests known for '" + shape + "': add them here, with the source that makes them");
    };
  }

  /** scope -> group/resource -> verbs, from the command list. */
  static Map<String, Map<String, Set<String>>> needed() {
    Set<String> chart = chartResources();
    List<String> lines;
    try {
      lines = Files.readAllLines(COMMANDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Map<String, Set<String>>> needed = new TreeMap<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\|");
      if (parts[1].equals("local")) {
        continue;
      }
      requests(parts[0], parts[1], chart).forEach(r -> needed.computeIfAbsent(r.scope(), k -> new TreeMap<>())
          .computeIfAbsent(r.resource(), k -> new TreeSet<>()).add(r.verb()));
    }
    return needed;
  }

  /** group/resource -> verbs a set of rules grants (resourceNames aside). */
  static Map<String, Set<String>> granted(List<PolicyRule> rules) {
    Map<String, Set<String>> granted = new TreeMap<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          granted.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(rule.getVerbs());
        }
      }
    }
    return granted;
  }

  static <T extends HasMetadata> T find(List<Object> objects, Class<T> type, String namespace, String name) {
    return Charts.ofType(objects, type).stream()
        .filter(o -> o.getMetadata().getName().equals(name)
            && java.util.Objects.equals(o.getMetadata().getNamespace(), namespace))
        .findFirst().orElseThrow(() -> new AssertionError(type.getSimpleName() + " " + namespace + "/" + name + " not rendered"));
  }

  static List<String> environments() {
    List<String> names = new ArrayList<>();
    platformValues().path("environments").forEach(e -> names.add(e.path("name").asText()));
    return names;
  }

  static String subjectsOf(List<Subject> subjects) {
    return subjects.stream().map(s -> s.getKind() + ":" + s.getNamespace() + "/" + s.getName()).sorted().collect(Collectors.joining(","));
  }

  @Test
  void deployerRoleGrantsExactlyWhatTheDeployCommandsRequestInEachNamespace() {
    Map<String, Set<String>> needed = needed().get("release");
    assertThat(needed).containsKeys("apps/deployments", "networking.istio.io/virtualservices", "/secrets", "/pods/log");
    List<Object> objects = platform();
    String sa = platformValues().path("rbac").path("deployerServiceAccount").asText();
    for (String ns : environments()) {
      Role deployer = find(objects, Role.class, ns, "deployer");
      assertThat(granted(deployer.getRules())).as("deployer in %s", ns).isEqualTo(needed);
      assertThat(deployer.getRules()).allSatisfy(r -> assertThat(r.getResourceNames()).isNullOrEmpty());
      RoleBinding binding = find(objects, RoleBinding.class, ns, "deployer");
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(subjectsOf(binding.getSubjects())).isEqualTo("ServiceAccount:" + ns + "/" + sa);
      assertThat(find(objects, ServiceAccount.class, ns, sa).getAutomountServiceAccountToken()).isFalse();
    }
  }

  @Test
  void theGateMayPortForwardToThePipelinesPrometheusPodAndNothingElse() {
    JsonNode gate = platformValues().path("rbac").path("gate");
    String namespace = gate.path("prometheusNamespace").asText();
    String pod = gate.path("prometheusPod").asText();
    // The pod and namespace the gate job port-forwards to are the ones the Role names.
    JsonNode ci = Charts.readYamlFile(Path.of(".gitlab/ci/production.yml")).path("variables");
    assertThat(ci.path("PROMETHEUS_POD").asText()).isEqualTo(pod);
    assertThat(ci.path("PROMETHEUS_NAMESPACE").asText()).isEqualTo(namespace);
    List<Object> objects = platform();
    Role role = find(objects, Role.class, namespace, "deployer-canary-gate");
    assertThat(granted(role.getRules())).isEqualTo(needed().get("prometheus"));
    assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getResourceNames()).containsExactly(pod));
    RoleBinding binding = find(objects, RoleBinding.class, namespace, "deployer-canary-gate");
    String sa = platformValues().path("rbac").path("deployerServiceAccount").asText();
    List<String> gateEnvs = new ArrayList<>();
    gate.path("environments").forEach(e -> gateEnvs.add("ServiceAccount:" + e.asText() + "/" + sa));
    assertThat(subjectsOf(binding.getSubjects())).isEqualTo(gateEnvs.stream().sorted().collect(Collectors.joining(",")));
    assertThat(gateEnvs).containsExactly("ServiceAccount:prod/" + sa);
  }

  @Test
  void theOnlyClusterWideRightIsReadingTheSecretStoreTheReleasesName() {
    List<Object> objects = platform();
    assertThat(Charts.ofType(objects, ClusterRole.class)).extracting(r -> r.getMetadata().getName()).containsExactly("deployer-secret-stores");
    ClusterRole role = Charts.ofType(objects, ClusterRole.class).get(0);
    assertThat(granted(role.getRules())).isEqualTo(needed().get("cluster"));
    // The store a production release's ExternalSecret names (what scripts/deploy asks about).
    String store = Charts.readYamlFile(Charts.SERVICE_CHART.resolve("values-prod.yaml"))
        .path("secret").path("external").path("storeRef").path("name").asText();
    assertThat(role.getRules()).singleElement().satisfies(r -> assertThat(r.getResourceNames()).containsExactly(store));
    // ...which is the store the platform renders.
    assertThat(platformValues().path("secretStore").path("name").asText()).isEqualTo(store);
    ClusterRoleBinding binding = Charts.ofType(objects, ClusterRoleBinding.class).stream().filter(b -> b.getMetadata().getName().equals("deployer-secret-stores")).findFirst().orElseThrow();
    String sa = platformValues().path("rbac").path("deployerServiceAccount").asText();
    assertThat(subjectsOf(binding.getSubjects())).isEqualTo(environments().stream()
        .map(ns -> "ServiceAccount:" + ns + "/" + sa).sorted().collect(Collectors.joining(",")));
    assertThat(Charts.ofType(objects, ClusterRoleBinding.class)).hasSize(1);
  }

  /**
   * One identity: each GitLab agent impersonates the deployer of its environment (.gitlab/agents/NAME/config.yaml,
   * access_as.impersonate.username system:serviceaccount:NS:SA). Kubernetes authorizes impersonating a service
   * account as the verb `impersonate` on `serviceaccounts`, by name, in the account's namespace
   * (kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation), for the agent's own
   * service account; the impersonated account then needs the deployer's rights there.
   */
  @Test
  void eachAgentImpersonatesTheDeployerOfItsEnvironmentAndMayImpersonateNothingElse() throws IOException {
    List<Object> objects = platform();
    JsonNode agents = platformValues().path("rbac").path("agents");
    Set<String> configured = new TreeSet<>();
    try (var dirs = Files.list(Path.of(".gitlab/agents"))) {
      for (Path dir : dirs.toList()) {
        String agent = dir.getFileName().toString();
        configured.add(agent);
        JsonNode values = null;
        for (JsonNode a : agents) {
          if (a.path("name").asText().equals(agent)) {
            values = a;
          }
        }
        assertThat(values).as("charts/platform rbac.agents entry for agent %s", agent).isNotNull();
        for (JsonNode entry : Charts.readYamlFile(dir.resolve("config.yaml")).path("ci_access").path("projects")) {
          String user = entry.path("access_as").path("impersonate").path("username").asText();
          assertThat(user).as("agent %s impersonates", agent).matches("system:serviceaccount:[a-z0-9-]+:[a-z0-9-]+");
          String[] parts = user.split(":");
          String ns = parts[2];
          String sa = parts[3];
          List<String> envs = new ArrayList<>();
          values.path("environments").forEach(e -> envs.add(e.asText()));
          assertThat(envs).as("agent %s environments", agent).containsExactly(ns);
          assertThat(sa).isEqualTo(platformValues().path("rbac").path("deployerServiceAccount").asText());
          Role impersonate = find(objects, Role.class, ns, "impersonate-deployer-" + agent);
          assertThat(impersonate.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getApiGroups()).containsExactly("");
            assertThat(r.getResources()).containsExactly("serviceaccounts");
            assertThat(r.getVerbs()).containsExactly("impersonate");
            assertThat(r.getResourceNames()).containsExactly(sa);
          });
          RoleBinding binding = find(objects, RoleBinding.class, ns, "impersonate-deployer-" + agent);
          assertThat(subjectsOf(binding.getSubjects())).isEqualTo("ServiceAccount:"
              + values.path("serviceAccount").path("namespace").asText() + "/" + values.path("serviceAccount").path("name").asText());
          assertThat(find(objects, RoleBinding.class, ns, "deployer").getSubjects()).singleElement()
              .satisfies(s -> assertThat(s.getName()).isEqualTo(sa));
        }
      }
    }
    assertThat(configured).containsExactlyInAnyOrder("production", "nonprod");
    // Nothing else may impersonate: the only rules with the verb are the agents' Roles above.
    for (Role role : Charts.ofType(objects, Role.class)) {
      if (!role.getMetadata().getName().startsWith("impersonate-deployer-")) {
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("impersonate", "bind", "escalate"));
      }
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
    List<PolicyRule> rules = new ArrayList<>();
    Charts.ofType(platform(), Role.class).forEach(r -> rules.addAll(r.getRules()));
    Charts.ofType(platform(), ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    assertThat(rules).isNotEmpty().allSatisfy(rule -> {
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getVerbs()).doesNotContain("*");
    });
  }
}
