package verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.certmanager.api.model.v1.ClusterIssuer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One environment (dev or prod) of a cluster as the other parts would create it: the platform chart, both
 * releases of the service chart (canary on), and the pods that third-party controllers create from this
 * repo's values (the NGINX Ingress Controller, cert-manager's HTTP-01 solver), plus the fixed parties the
 * flows name (Prometheus, istiod, kube-dns, NodeLocal DNSCache, the kubelet) and an intruder that no flow
 * names. Namespaces the platform does not render carry only kubernetes.io/metadata.name, as
 * `helm --create-namespace` leaves them.
 */
final class ClusterModel {

  /** A pod (or, with ip set, an address outside any pod: the node-local DNS cache; node=true: the kubelet). */
  record Endpoint(
      String role,
      String namespace,
      Map<String, String> labels,
      Map<String, String> annotations,
      String serviceAccount,
      Map<String, Integer> namedPorts,
      List<ResourceRequirements> containers,
      String ip,
      boolean node) {

    boolean isPod() {
      return ip == null && !node;
    }
  }

  static final String EDGE_NAMESPACE = "nginx-ingress";
  static final String NODE_LOCAL_DNS_DEFAULT = "169.254.20.10";

  final String env;
  final List<Object> platform;
  final List<Object> services = new ArrayList<>();
  final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
  final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

  ClusterModel(String env, Map<String, String> serviceSets) {
    this.env = env;
    this.platform = Charts.parseAll(Charts.renderPlatform());
    for (String service : Matrix.SERVICES) {
      services.addAll(Charts.parseAll(Charts.renderService(service, env, serviceSets)));
    }
    for (Namespace ns : Charts.ofType(platform, Namespace.class)) {
      Map<String, String> labels = new HashMap<>(ns.getMetadata().getLabels());
      labels.put("kubernetes.io/metadata.name", ns.getMetadata().getName());
      namespaceLabels.put(ns.getMetadata().getName(), labels);
    }
    for (Deployment d : Charts.ofType(services, Deployment.class)) {
      add(pod(d.getMetadata().getName(), env, d.getSpec().getTemplate().getMetadata().getLabels(),
          d.getSpec().getTemplate().getMetadata().getAnnotations(), d.getSpec().getTemplate().getSpec()));
    }
    for (Pod p : Charts.ofType(services, Pod.class)) {
      String release = p.getMetadata().getLabels().get("app.kubernetes.io/instance");
      add(pod(release + "-test", env, p.getMetadata().getLabels(), p.getMetadata().getAnnotations(), p.getSpec()));
    }
    add(edge());
    add(acmeSolver());
    add(new Endpoint("prometheus", "monitoring", Map.of("app.kubernetes.io/name", "prometheus"), Map.of(),
        "kube-prometheus-stack-prometheus", Map.of(), List.of(), null, false));
    add(new Endpoint("istiod", "istio-system", Map.of("app", "istiod", "istio", "pilot"), Map.of(), "istiod",
        Map.of("grpc-xds", 15012), List.of(), null, false));
    add(new Endpoint("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"), Map.of(), "coredns",
        Map.of("dns", 53), List.of(), null, false));
    add(new Endpoint("node-local-dns", null, Map.of(), Map.of(), null, Map.of(), List.of(), nodeLocalDnsIp(), false));
    add(new Endpoint("kubelet", null, Map.of(), Map.of(), null, Map.of(), List.of(), null, true));
    add(new Endpoint("intruder", env, Map.of("run", "debug"), Map.of(), "default", Map.of(), List.of(), null, false));
  }

  private void add(Endpoint e) {
    endpoints.put(e.role(), e);
  }

  Endpoint get(String role) {
    Endpoint e = endpoints.get(role);
    if (e == null) {
      throw new AssertionError("no endpoint '" + role + "' in " + env + "; known: " + endpoints.keySet());
    }
    return e;
  }

  Map<String, String> namespaceLabels(String namespace) {
    Map<String, String> labels = namespaceLabels.get(namespace);
    return labels != null ? labels : Map.of("kubernetes.io/metadata.name", namespace);
  }

  boolean injected(Endpoint e) {
    return e.isPod() && IstioInjection.injected(namespaceLabels(e.namespace()), e.labels(), e.annotations(), false);
  }

  private static Endpoint pod(String role, String namespace, Map<String, String> labels, Map<String, String> annotations, PodSpec spec) {
    Map<String, Integer> ports = new HashMap<>();
    List<ResourceRequirements> resources = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      c.getPorts().forEach(p -> ports.put(p.getName() == null ? String.valueOf(p.getContainerPort()) : p.getName(), p.getContainerPort()));
      resources.add(c.getResources());
    }
    return new Endpoint(role, namespace, labels == null ? Map.of() : labels, annotations == null ? Map.of() : annotations,
        spec.getServiceAccountName() == null ? "default" : spec.getServiceAccountName(), ports, resources, null, false);
  }

  /**
   * The NGINX Ingress Controller pod as F5's chart (nginx/kubernetes-ingress charts/nginx-ingress,
   * templates/controller-deployment.yaml and _helpers.tpl "nginx-ingress.podLabels") builds it from
   * charts/platform/values/nginx-ingress.yaml: selector labels plus controller.pod.extraLabels, and
   * controller.pod.annotations (plus prometheus.io/* when prometheus.create).
   */
  private static Endpoint edge() {
    JsonNode c = nginxValues().path("controller");
    Map<String, String> labels = new HashMap<>(Map.of("app.kubernetes.io/name", "nginx-ingress", "app.kubernetes.io/instance", "nginx-ingress"));
    c.path("pod").path("extraLabels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    Map<String, String> annotations = new HashMap<>();
    c.path("pod").path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new Endpoint("edge", EDGE_NAMESPACE, labels, annotations, c.path("serviceAccount").path("name").asText("nginx-ingress"),
        Map.of("http", 80, "https", 443), List.of(new ResourceRequirementsBuilder().build()), null, false);
  }

  static JsonNode nginxValues() {
    return Charts.readYamlFile(Path.of("charts/platform/values/nginx-ingress.yaml"));
  }

  /**
   * cert-manager's HTTP-01 solver pod, as pkg/issuer/acme/http/pod.go (v1.19) buildDefaultPod() makes it:
   * labels acme.cert-manager.io/http01-solver, http-domain, http-token; annotation sidecar.istio.io/inject:
   * "false"; container port "http" 8089; resources from the controller flags
   * --acme-http01-solver-resource-{request,limits}-{cpu,memory} (defaults 10m/64Mi and 100m/64Mi in
   * internal/apis/config/controller/v1alpha1/defaults.go); then the issuer's solver podTemplate labels and
   * annotations are merged over them (mergePodObjectMetaWithPodTemplate).
   */
  private Endpoint acmeSolver() {
    Map<String, String> labels = new HashMap<>(Map.of(
        "acme.cert-manager.io/http01-solver", "true", "acme.cert-manager.io/http-domain", "1", "acme.cert-manager.io/http-token", "1"));
    Map<String, String> annotations = new HashMap<>(Map.of(
        "sidecar.istio.io/inject", "false", "cluster-autoscaler.kubernetes.io/safe-to-evict", "true"));
    var template = solverOf(issuerOfEnv()).getIngress().getPodTemplate();
    if (template != null && template.getMetadata() != null) {
      if (template.getMetadata().getLabels() != null) {
        labels.putAll(template.getMetadata().getLabels());
      }
      if (template.getMetadata().getAnnotations() != null) {
        annotations.putAll(template.getMetadata().getAnnotations());
      }
    }
    return new Endpoint("acme-solver", env, labels, annotations, "default", Map.of("http", 8089), List.of(solverResources()), null, false);
  }

  /** The ClusterIssuer the environment's VirtualServer asks cert-manager for. */
  ClusterIssuer issuerOfEnv() {
    String name = Charts.ofType(services, CrdModels.VirtualServer.class).get(0).spec().tls().certManager().clusterIssuer();
    return Charts.named(platform, ClusterIssuer.class, name);
  }

  static io.fabric8.certmanager.api.model.acme.v1.ACMEChallengeSolverHTTP01 solverOf(ClusterIssuer issuer) {
    var solvers = issuer.getSpec().getAcme().getSolvers();
    if (solvers.size() != 1 || solvers.get(0).getHttp01() == null) {
      throw new AssertionError(issuer.getMetadata().getName() + ": expected one HTTP-01 solver");
    }
    return solvers.get(0).getHttp01();
  }

  static ResourceRequirements solverResources() {
    Map<String, String> flags = new HashMap<>(Map.of(
        "request-cpu", "10m", "request-memory", "64Mi", "limits-cpu", "100m", "limits-memory", "64Mi"));
    JsonNode args = Charts.readYamlFile(Path.of("charts/platform/values/cert-manager.yaml")).path("extraArgs");
    for (JsonNode a : args) {
      String arg = a.asText();
      String prefix = "--acme-http01-solver-resource-";
      if (arg.startsWith(prefix) && arg.contains("=")) {
        flags.put(arg.substring(prefix.length(), arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      }
    }
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(flags.get("request-cpu")))
        .addToRequests("memory", new Quantity(flags.get("request-memory")))
        .addToLimits("cpu", new Quantity(flags.get("limits-cpu")))
        .addToLimits("memory", new Quantity(flags.get("limits-memory")))
        .build();
  }

  static String nodeLocalDnsIp() {
    JsonNode v = Charts.readYamlFile(Charts.PLATFORM_CHART.resolve("values.yaml")).path("networkPolicy").path("nodeLocalDNS");
    return v.path("ip").asText(NODE_LOCAL_DNS_DEFAULT);
  }

  /** Roles of pods rendered by the service chart for one release (stable and canary tracks). */
  List<Endpoint> releasePods(String release) {
    List<Endpoint> pods = new ArrayList<>();
    for (Endpoint e : endpoints.values()) {
      if (e.isPod() && release.equals(e.labels().get("app.kubernetes.io/instance")) && !"helm-test".equals(e.labels().get("app.kubernetes.io/component"))) {
        pods.add(e);
      }
    }
    return pods;
  }

  static final Set<String> SERVICE_PORTS = Set.of("http", "http-admin");
}
