package verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.certmanager.api.model.v1.ClusterIssuer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ResourceQuota admission rule (kubernetes.io/docs/concepts/policy/resource-quotas/) applied to
 * everything that controllers create in dev and prod at the worst moment: every Deployment at its maximum
 * (the HPA's maxReplicas, else replicas) plus its rolling-update surge, for every canary weight the pipeline
 * uses; the helm test pods; cert-manager's HTTP-01 solver Pod and Service for each TLS host. Each pod counts
 * its sidecar (istio/values-istiod.yaml global.proxy.resources) when the injection webhook injects it, and
 * containers without requests/limits get the LimitRange defaults (LimitRanger admits before the quota).
 * A quota on requests/limits rejects any pod that does not state them; services.nodeports counts NodePort
 * and LoadBalancer Services.
 */
class QuotaSeamTest {

  static final List<String> RESOURCES = List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory");

  record Usage(Map<String, BigDecimal> amounts, int pods, int nodePorts, int loadBalancers) {}

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everythingControllersCreateAtFullScaleIsAdmitted(String env) {
    List<Object> platform = Charts.parseAll(Charts.renderPlatform());
    ResourceQuota quota = Charts.ofType(platform, ResourceQuota.class).stream()
        .filter(q -> q.getMetadata().getNamespace().equals(env)).findFirst().orElseThrow();
    Map<String, Quantity> hard = quota.getSpec().getHard();
    for (int weight : Matrix.WEIGHTS) {
      Usage u = usage(env, Matrix.canary(weight), platform);
      for (String r : RESOURCES) {
        assertThat(u.amounts().get(r)).as("%s %s at canary weight %d", env, r, weight)
            .isLessThanOrEqualTo(Quantity.getAmountInBytes(hard.get(r)));
      }
      assertThat(u.pods()).as("%s pods at canary weight %d", env, weight)
          .isLessThanOrEqualTo(Integer.parseInt(hard.get("pods").toString()));
      assertThat(u.nodePorts()).as("%s NodePort/LoadBalancer Services (cert-manager's solver Service is NodePort unless serviceType is set)", env)
          .isLessThanOrEqualTo(Integer.parseInt(hard.get("services.nodeports").toString()));
      assertThat(u.loadBalancers()).as("%s LoadBalancer Services", env)
          .isLessThanOrEqualTo(Integer.parseInt(hard.get("services.loadbalancers").toString()));
    }
  }

  static Usage usage(String env, Map<String, String> sets, List<Object> platform) {
    ClusterModel cluster = new ClusterModel(env, sets);
    Map<String, String> nsLabels = cluster.namespaceLabels(env);
    LimitRange lr = Charts.ofType(platform, LimitRange.class).stream()
        .filter(l -> l.getMetadata().getNamespace().equals(env)).findFirst().orElseThrow();
    ResourceRequirements sidecar = sidecarResources();
    Map<String, BigDecimal> total = new HashMap<>();
    RESOURCES.forEach(r -> total.put(r, BigDecimal.ZERO));
    int pods = 0;
    int nodePorts = 0;
    int loadBalancers = 0;

    List<Object> objects = cluster.services;
    for (Deployment d : Charts.ofType(objects, Deployment.class)) {
      int max = Charts.ofType(objects, HorizontalPodAutoscaler.class).stream()
          .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(d.getMetadata().getName()))
          .map(h -> h.getSpec().getMaxReplicas()).findFirst()
          .orElse(d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas());
      int count = max + surge(d, max);
      var t = d.getSpec().getTemplate();
      boolean injected = IstioInjection.injected(nsLabels, t.getMetadata().getLabels(), t.getMetadata().getAnnotations(), false);
      assertThat(t.getMetadata().getAnnotations()).as("per-pod proxy resources are not modelled")
          .doesNotContainKeys("sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyMemory", "sidecar.istio.io/proxyCPULimit", "sidecar.istio.io/proxyMemoryLimit");
      addPod(total, containers(t.getSpec()), injected ? sidecar : null, lr, count);
      pods += count;
    }
    for (Pod p : Charts.ofType(objects, Pod.class)) {
      boolean injected = IstioInjection.injected(nsLabels, p.getMetadata().getLabels(), p.getMetadata().getAnnotations(), false);
      addPod(total, containers(p.getSpec()), injected ? sidecar : null, lr, 1);
      pods += 1;
    }
    for (Service s : Charts.ofType(objects, Service.class)) {
      nodePorts += countsNodePort(s.getSpec().getType()) ? 1 : 0;
      loadBalancers += "LoadBalancer".equals(s.getSpec().getType()) ? 1 : 0;
    }
    int tlsHosts = (int) Charts.ofType(objects, CrdModels.VirtualServer.class).stream().filter(v -> v.spec().tls() != null).count();
    if (tlsHosts > 0) {
      ClusterIssuer issuer = cluster.issuerOfEnv();
      ClusterModel.Endpoint solver = cluster.get("acme-solver");
      boolean injected = cluster.injected(solver);
      addPod(total, solver.containers(), injected ? sidecar : null, lr, tlsHosts);
      pods += tlsHosts;
      // pkg/issuer/acme/http/service.go: Type NodePort unless the solver's serviceType overrides it.
      String type = ClusterModel.solverOf(issuer).getIngress().getServiceType();
      String serviceType = type == null || type.isEmpty() ? "NodePort" : type;
      nodePorts += countsNodePort(serviceType) ? tlsHosts : 0;
    }
    return new Usage(total, pods, nodePorts, loadBalancers);
  }

  static boolean countsNodePort(String type) {
    return "NodePort".equals(type) || "LoadBalancer".equals(type);
  }

  /** apps/v1 RollingUpdate: maxSurge (default 25%) of the replica count, a percentage rounded up. */
  static int surge(Deployment d, int replicas) {
    IntOrString s = d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getRollingUpdate() == null
        ? new IntOrString("25%") : d.getSpec().getStrategy().getRollingUpdate().getMaxSurge();
    if (d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType())) {
      return 0;
    }
    if (s == null) {
      s = new IntOrString("25%");
    }
    if (s.getIntVal() != null) {
      return s.getIntVal();
    }
    int pct = Integer.parseInt(s.getStrVal().replace("%", ""));
    return (int) Math.ceil(replicas * pct / 100.0);
  }

  static List<ResourceRequirements> containers(PodSpec spec) {
    List<ResourceRequirements> out = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      out.add(c.getResources());
    }
    return out;
  }

  private static void addPod(Map<String, BigDecimal> total, List<ResourceRequirements> containers, ResourceRequirements sidecar, LimitRange lr, int count) {
    List<ResourceRequirements> all = new ArrayList<>(containers);
    if (sidecar != null) {
      all.add(sidecar);
    }
    var limits = lr.getSpec().getLimits().get(0);
    for (ResourceRequirements r : all) {
      for (String kind : List.of("requests", "limits")) {
        for (String res : List.of("cpu", "memory")) {
          Map<String, Quantity> stated = r == null ? null : (kind.equals("requests") ? r.getRequests() : r.getLimits());
          Quantity q = stated == null ? null : stated.get(res);
          if (q == null) {
            // LimitRanger: a missing limit takes `default`, a missing request the limit or `defaultRequest`.
            q = kind.equals("limits") ? limits.getDefault().get(res)
                : (r != null && r.getLimits() != null && r.getLimits().get(res) != null ? r.getLimits().get(res) : limits.getDefaultRequest().get(res));
          }
          total.merge(kind + "." + res, Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(count)), BigDecimal::add);
        }
      }
    }
  }

  static ResourceRequirements sidecarResources() {
    JsonNode res = Charts.readYamlFile(Path.of("istio/values-istiod.yaml")).path("global").path("proxy").path("resources");
    var b = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder();
    res.path("requests").fields().forEachRemaining(e -> b.addToRequests(e.getKey(), new Quantity(e.getValue().asText())));
    res.path("limits").fields().forEachRemaining(e -> b.addToLimits(e.getKey(), new Quantity(e.getValue().asText())));
    return b.build();
  }
}
