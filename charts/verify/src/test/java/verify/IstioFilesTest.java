package verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.istio.api.security.v1.AuthorizationPolicy;
import io.fabric8.istio.api.security.v1.PeerAuthentication;
import io.fabric8.istio.api.telemetry.v1.Telemetry;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** istio/ (mesh-wide objects, monitoring, install values) and the third-party values under charts/platform/values. */
class IstioFilesTest {

  static List<Object> objectsUnder(String dir) throws IOException {
    List<Object> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        all.addAll(Charts.parseAll(Files.readString(f)));
      }
    }
    return all;
  }

  @Test
  void meshObjectsAreTypedAndMeshWide() throws IOException {
    List<Object> mesh = objectsUnder("istio/mesh");
    PeerAuthentication pa = Charts.named(mesh, PeerAuthentication.class, "default");
    assertThat(pa.getMetadata().getNamespace()).isEqualTo("istio-system");
    assertThat(pa.getSpec().getSelector()).isNull();
    assertThat(pa.getSpec().getMtls().getMode().toString()).isEqualTo("STRICT");

    AuthorizationPolicy deny = Charts.named(mesh, AuthorizationPolicy.class, "allow-nothing");
    assertThat(deny.getMetadata().getNamespace()).isEqualTo("istio-system");
    assertThat(deny.getSpec().getRules()).isNullOrEmpty();
    assertThat(deny.getSpec().getSelector()).isNull();

    Telemetry telemetry = Charts.named(mesh, Telemetry.class, "mesh-default");
    assertThat(telemetry.getMetadata().getNamespace()).isEqualTo("istio-system");
    assertThat(telemetry.getSpec().getAccessLogging()).singleElement()
        .satisfies(a -> assertThat(a.getProviders()).extracting(p -> p.getName()).containsExactly("envoy"));
    assertThat(telemetry.getSpec().getMetrics()).singleElement()
        .satisfies(m -> assertThat(m.getProviders()).extracting(p -> p.getName()).containsExactly("prometheus"));
  }

  @Test
  void prometheusScrapesEnvoyAndIstiod() throws IOException {
    List<Object> monitoring = objectsUnder("istio/monitoring");
    PodMonitor envoy = Charts.named(monitoring, PodMonitor.class, "envoy-stats");
    assertThat(envoy.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat(envoy.getSpec().getNamespaceSelector().getAny()).isTrue();
    assertThat(envoy.getSpec().getPodMetricsEndpoints()).singleElement().satisfies(e -> {
      assertThat(e.getPort()).isEqualTo("http-envoy-prom");
      assertThat(e.getPath()).isEqualTo("/stats/prometheus");
    });
    ServiceMonitor istiod = Charts.named(monitoring, ServiceMonitor.class, "istiod");
    assertThat(istiod.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat(istiod.getSpec().getEndpoints()).singleElement().satisfies(e -> assertThat(e.getPort()).isEqualTo("http-monitoring"));
  }

  @Test
  void istiodValuesLogJsonHoldTheAppAndLimitSidecars() {
    JsonNode v = Charts.readYamlFile(Path.of("istio/values-istiod.yaml"));
    JsonNode mesh = v.path("meshConfig");
    assertThat(mesh.path("accessLogFile").asText()).isEqualTo("/dev/stdout");
    assertThat(mesh.path("accessLogEncoding").asText()).isEqualTo("JSON");
    assertThat(mesh.path("enablePrometheusMerge").asBoolean(true)).as("no merged scrape next to the ServiceMonitor").isFalse();
    assertThat(mesh.path("defaultConfig").path("holdApplicationUntilProxyStarts").asBoolean()).isTrue();
    assertThat(v.path("pilot").path("cni").path("enabled").asBoolean())
        .as("no privileged istio-init under Pod Security restricted").isTrue();
    JsonNode res = v.path("global").path("proxy").path("resources");
    for (String kind : List.of("requests", "limits")) {
      assertThat(res.path(kind).has("cpu") && res.path(kind).has("memory")).as("sidecar %s", kind).isTrue();
    }
    assertThat(Charts.readYamlFile(Path.of("istio/values-base.yaml")).path("global").path("istioNamespace").asText()).isEqualTo("istio-system");
  }

  @Test
  void kialiReadsTheClustersPrometheusAndGrafana() {
    JsonNode v = Charts.readYamlFile(Path.of("istio/values-kiali.yaml")).path("external_services");
    assertThat(v.path("prometheus").path("url").asText()).isEqualTo("http://kube-prometheus-stack-prometheus.monitoring:9090");
    assertThat(v.path("grafana").path("enabled").asBoolean()).isTrue();
    assertThat(v.path("grafana").path("internal_url").asText()).startsWith("http://kube-prometheus-stack-grafana.monitoring");
  }

  /** Kiali reads Grafana's login from a Secret in its namespace ("secret:NAME:KEY"), the one bootstrap creates. */
  @Test
  void kialiLogsInToGrafanaWithTheSecretBootstrapCreates() throws IOException {
    JsonNode auth = Charts.readYamlFile(Path.of("istio/values-kiali.yaml")).path("external_services").path("grafana").path("auth");
    assertThat(auth.path("type").asText()).isEqualTo("basic");
    String bootstrap = Files.readString(Path.of("scripts/bootstrap-cluster"));
    for (String field : List.of("username", "password")) {
      String ref = auth.path(field).asText();
      assertThat(ref).as("%s is a Secret reference, never a literal", field).matches("secret:[a-z0-9-]+:[a-z-]+");
      String[] p = ref.split(":");
      assertThat(bootstrap).as("bootstrap creates %s with key %s", p[1], p[2])
          .contains("create secret generic " + p[1] + " --namespace istio-system").contains("--from-file=" + p[2] + "=");
    }
  }

  /**
   * Istio's dashboards, provisioned from the files of the Istio release the platform installs (istio/istio
   * manifests/addons/dashboards at tag ISTIO_VERSION; titles as in that tree), and the ones Kiali links to.
   */
  static final Map<String, String> ISTIO_DASHBOARDS = Map.of(
      "istio-mesh-dashboard.gen.json", "Istio Mesh Dashboard",
      "istio-service-dashboard.json", "Istio Service Dashboard",
      "istio-workload-dashboard.json", "Istio Workload Dashboard",
      "pilot-dashboard.gen.json", "Istio Control Plane Dashboard");

  @Test
  void istiosDashboardsArePinnedToTheInstalledIstioAndKialiLinksToThem() throws IOException {
    String istioVersion = Files.readAllLines(Path.of("scripts/versions.env")).stream()
        .filter(l -> l.startsWith("ISTIO_VERSION=")).findFirst().orElseThrow().substring("ISTIO_VERSION=".length());
    JsonNode grafana = Charts.readYamlFile(Path.of("observability/values/kube-prometheus-stack.yaml")).path("grafana");
    JsonNode providers = grafana.path("dashboardProviders").path("dashboardproviders.yaml").path("providers");
    Map<String, String> providerPaths = new HashMap<>();
    providers.forEach(p -> providerPaths.put(p.path("name").asText(), p.path("options").path("path").asText()));
    JsonNode istio = grafana.path("dashboards").path("istio");
    assertThat(providerPaths).as("the chart's file provider for the dashboards' folder").containsEntry("istio", "/var/lib/grafana/dashboards/istio");
    List<String> files = new ArrayList<>();
    istio.forEach(d -> {
      String url = d.path("url").asText();
      assertThat(url).startsWith("https://raw.githubusercontent.com/istio/istio/" + istioVersion + "/manifests/addons/dashboards/");
      files.add(url.substring(url.lastIndexOf('/') + 1));
    });
    assertThat(files).containsExactlyInAnyOrderElementsOf(ISTIO_DASHBOARDS.keySet());
    JsonNode kiali = Charts.readYamlFile(Path.of("istio/values-kiali.yaml")).path("external_services").path("grafana").path("dashboards");
    List<String> linked = new ArrayList<>();
    kiali.forEach(d -> linked.add(d.path("name").asText()));
    assertThat(linked).isNotEmpty();
    assertThat(ISTIO_DASHBOARDS.values()).containsAll(linked);
  }

  /** The controller's features the edge objects rely on (the mesh side is InjectionSeamTest / FlowsSeamTest). */
  @Test
  void ingressControllerServesVirtualServersWithCertManager() {
    JsonNode c = Charts.readYamlFile(Path.of("charts/platform/values/nginx-ingress.yaml")).path("controller");
    assertThat(c.path("enableCustomResources").asBoolean()).isTrue();
    assertThat(c.path("enableCertManager").asBoolean()).isTrue();
    assertThat(c.path("ingressClass").path("name").asText()).isEqualTo("nginx");
  }

  @Test
  void everyThirdPartyValuesFileIsValidYaml() throws IOException {
    try (Stream<Path> files = Stream.concat(Files.list(Path.of("charts/platform/values")), Files.list(Path.of("istio")))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        assertThat(Charts.readYamlFile(f).isObject()).as(f.toString()).isTrue();
      }
    }
  }
}
