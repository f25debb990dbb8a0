package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What particular values do to the rendered objects. */
class ChartBehaviourTest {

  static List<Object> render(String service, String env, Map<String, String> sets) {
    return Charts.parseAll(Charts.renderService(service, env, sets));
  }

  static Map<String, String> with(Map<String, String> base, String... kv) {
    Map<String, String> m = new LinkedHashMap<>(base);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static Container app(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Nested
  class Tracks {
    @Test
    void canaryIsASecondDeploymentWithItsOwnTagAndTrack() {
      List<Object> objects = render("greeter", "prod", Matrix.canary(10));
      Deployment stable = Charts.named(objects, Deployment.class, "greeter");
      Deployment canary = Charts.named(objects, Deployment.class, "greeter-canary");
      assertThat(RenderedObjectsTest.podLabels(stable))
          .containsEntry("app", "greeter").containsEntry("track", "stable").containsEntry("version", "1a2b3c4d");
      assertThat(RenderedObjectsTest.podLabels(canary))
          .containsEntry("app", "greeter").containsEntry("track", "canary").containsEntry("version", "5e6f7a8b");
      assertThat(app(canary).getImage()).isEqualTo("greeter@" + Matrix.CANARY_DIGEST);
      assertThat(RenderedObjectsTest.env(app(canary), "APP_VERSION")).isEqualTo("5e6f7a8b");
      assertThat(canary.getSpec().getSelector().getMatchLabels()).containsEntry("track", "canary");
      assertThat(stable.getSpec().getSelector().getMatchLabels()).containsEntry("track", "stable");
    }

    @Test
    void noCanaryMeansOneDeployment() {
      assertThat(Charts.ofType(render("timezones", "dev", Matrix.stableOnly()), Deployment.class))
          .extracting(d -> d.getMetadata().getName()).containsExactly("timezones");
    }

    @Test
    void serviceSelectsBothTracks() {
      List<Object> objects = render("greeter", "prod", Matrix.canary(50));
      var service = Charts.named(objects, io.fabric8.kubernetes.api.model.Service.class, "greeter");
      assertThat(service.getSpec().getSelector()).doesNotContainKey("track");
      for (Deployment d : Charts.ofType(objects, Deployment.class)) {
        assertThat(RenderedObjectsTest.podLabels(d).entrySet()).containsAll(service.getSpec().getSelector().entrySet());
      }
    }
  }

  @Nested
  class Images {
    @Test
    void bothTracksRunTheirImageByDigest() {
      List<Object> objects = render("greeter", "prod", Matrix.canary(10));
      assertThat(app(Charts.named(objects, Deployment.class, "greeter")).getImage()).isEqualTo("greeter@" + Matrix.STABLE_DIGEST);
      assertThat(app(Charts.named(objects, Deployment.class, "greeter-canary")).getImage()).isEqualTo("greeter@" + Matrix.CANARY_DIGEST);
    }

    @Test
    void aTagAloneRendersRepositoryColonTagForLocalUse() {
      Deployment d = Charts.named(render("greeter", "dev", Matrix.tagOnly()), Deployment.class, "greeter");
      assertThat(app(d).getImage()).isEqualTo("greeter:1a2b3c4d");
    }

    @Test
    void prodRefusesAnImageWithoutDigestOnEitherTrack() {
      assertThatThrownBy(() -> render("greeter", "prod", Matrix.tagOnly()))
          .hasMessageContaining("image.digest is required");
      Map<String, String> canaryByTag = with(Matrix.stableOnly(), "canary.enabled", "true", "canary.image.tag", "5e6f7a8b", "canary.weight", "10");
      assertThatThrownBy(() -> render("greeter", "prod", canaryByTag)).hasMessageContaining("canary.image.digest is required");
    }

    @Test
    void theVersionLabelIsTheTagOrTheDigestsFirstTwelveDigits() {
      Map<String, String> digestOnly = Map.of("image.digest", Matrix.STABLE_DIGEST);
      Deployment d = Charts.named(render("timezones", "prod", digestOnly), Deployment.class, "timezones");
      assertThat(RenderedObjectsTest.podLabels(d)).containsEntry("version", "sha256-1a2b3c4d1a2b");
      assertThat(RenderedObjectsTest.env(app(d), "APP_VERSION")).isEqualTo("sha256-1a2b3c4d1a2b");
    }

    @Test
    void eachTrackNamesThePipelineThatDeployedIt() {
      Map<String, String> sets = with(Matrix.canary(10), "provenance.pipeline", "1001", "provenance.commit", "0123abc",
          "canary.provenance.pipeline", "1002", "canary.provenance.commit", "4567def");
      List<Object> objects = render("greeter", "prod", sets);
      assertThat(Charts.named(objects, Deployment.class, "greeter").getMetadata().getAnnotations())
          .containsEntry("jvm-service/pipeline", "1001").containsEntry("jvm-service/commit", "0123abc");
      Deployment canary = Charts.named(objects, Deployment.class, "greeter-canary");
      assertThat(canary.getMetadata().getAnnotations()).containsEntry("jvm-service/pipeline", "1002");
      // On the Deployment, not the pod template: a new pipeline id alone restarts no pod.
      assertThat(canary.getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey("jvm-service/pipeline");
    }
  }

  @Nested
  class Scaling {
    @Test
    void prodHasHpaThreeToTenOnCpuAndTheDeploymentDropsReplicas() {
      List<Object> objects = render("greeter", "prod", Matrix.stableOnly());
      HorizontalPodAutoscaler hpa = Charts.named(objects, HorizontalPodAutoscaler.class, "greeter");
      assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
      assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
      // CPU only: a JVM keeps the heap it grew, so a memory target would scale out and never back in.
      assertThat(hpa.getSpec().getMetrics()).extracting(m -> m.getResource().getName()).containsExactly("cpu");
      assertThat(Charts.named(objects, Deployment.class, "greeter").getSpec().getReplicas()).isNull();
      assertThat(Charts.named(objects, PodDisruptionBudget.class, "greeter").getSpec().getSelector().getMatchLabels())
          .containsEntry("track", "stable");
    }

    @Test
    void devHasOneReplicaNoHpaAndNoUnsatisfiablePdb() {
      List<Object> objects = render("greeter", "dev", Matrix.stableOnly());
      assertThat(Charts.named(objects, Deployment.class, "greeter").getSpec().getReplicas()).isEqualTo(1);
      assertThat(Charts.ofType(objects, HorizontalPodAutoscaler.class)).isEmpty();
      assertThat(Charts.ofType(objects, PodDisruptionBudget.class)).isEmpty();
    }

    @Test
    void pdbAppearsWithTwoReplicasWithoutHpa() {
      List<Object> objects = render("greeter", "dev", with(Matrix.stableOnly(), "replicaCount", "2"));
      assertThat(Charts.ofType(objects, PodDisruptionBudget.class)).hasSize(1);
    }
  }

  /**
   * Canary capacity follows its weight. Istio sends the canary subset `weight` % of the requests (the
   * rendered VirtualService's default route), so the canary's guaranteed pods must carry that share at no
   * more load per pod than stable's pods carry the whole: canaryPods x 100 >= stablePods x weight, for the
   * HPA floor and ceiling alike. scaleFor (set one upgrade before the weight) must already hold.
   */
  @Nested
  class CanaryCapacity {
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
      List<org.junit.jupiter.params.provider.Arguments> cases = new java.util.ArrayList<>();
      for (String env : Matrix.ENVS) {
        for (int weight : List.of(0, 1, 10, 33, 50, 99, 100)) {
          for (int live : List.of(0, 1, 3, 7, 10)) {
            cases.add(org.junit.jupiter.params.provider.Arguments.of(env, weight, live, 0));
          }
        }
        cases.add(org.junit.jupiter.params.provider.Arguments.of(env, 10, 0, 50));
        cases.add(org.junit.jupiter.params.provider.Arguments.of(env, 50, 6, 100));
      }
      return cases.stream();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} weight={1} stableReplicas={2} scaleFor={3}")
    @org.junit.jupiter.params.provider.MethodSource("cases")
    void theCanaryCarriesItsShareAtNoMoreLoadPerPodThanStable(String env, int weight, int live, int scaleFor) {
      Map<String, String> sets = with(Matrix.canary(weight), "canary.stableReplicas", Integer.toString(live),
          "canary.scaleFor", Integer.toString(scaleFor));
      List<Object> objects = render("greeter", env, sets);
      int routed = canaryWeight(objects);
      assertThat(routed).isEqualTo(weight);
      int[] stable = pods(objects, "greeter");
      int[] canary = pods(objects, "greeter-canary");
      int stableFloor = live > 0 ? live : stable[0];
      int share = Math.max(weight, scaleFor);
      assertThat(canary[0]).as("canary pods at least 1").isPositive();
      assertThat(canary[0] * 100).as("canary floor %d for %d%% of %d stable pods", canary[0], share, stableFloor)
          .isGreaterThanOrEqualTo(stableFloor * share);
      assertThat(canary[1] * 100).as("canary ceiling %d for %d%% of stable's %d", canary[1], share, stable[1])
          .isGreaterThanOrEqualTo(stable[1] * share);
    }

    /** {guaranteed pods, most pods}: the HPA's min and max when one targets the Deployment, else its replicas. */
    private int[] pods(List<Object> objects, String deployment) {
      Deployment d = Charts.named(objects, Deployment.class, deployment);
      var hpa = Charts.ofType(objects, HorizontalPodAutoscaler.class).stream()
          .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(deployment)).findFirst();
      if (hpa.isPresent()) {
        assertThat(d.getSpec().getReplicas()).as("%s: the HPA owns the count", deployment).isNull();
        return new int[] {hpa.get().getSpec().getMinReplicas(), hpa.get().getSpec().getMaxReplicas()};
      }
      assertThat(d.getSpec().getReplicas()).as("%s replicas (no HPA)", deployment).isNotNull();
      return new int[] {d.getSpec().getReplicas(), d.getSpec().getReplicas()};
    }

    private int canaryWeight(List<Object> objects) {
      var vs = Charts.named(objects, io.fabric8.istio.api.networking.v1.VirtualService.class, "greeter");
      var http = vs.getSpec().getHttp();
      return http.get(http.size() - 1).getRoute().stream()
          .filter(r -> r.getDestination().getSubset().equals("canary"))
          .mapToInt(r -> r.getWeight() == null ? 100 : r.getWeight()).sum();
    }
  }

  @Nested
  class Configuration {
    @Test
    void configMapCarriesTheServiceSettings() {
      ConfigMap cm = Charts.named(render("greeter", "dev", Matrix.stableOnly()), ConfigMap.class, "greeter");
      assertThat(cm.getData()).containsEntry("GREETING", "Hello").containsEntry("TIMEZONE_OFFSET", "+00:00")
          .containsEntry("TIMEZONES_URL", "http://timezones:8080");
      ConfigMap tz = Charts.named(render("timezones", "dev", Matrix.stableOnly()), ConfigMap.class, "timezones");
      assertThat(tz.getData()).doesNotContainKey("TIMEZONES_URL");
    }

    @Test
    void aConfigChangeRollsThePodsAndOnlyThen() {
      String before = annotation(render("greeter", "dev", Matrix.stableOnly()), "checksum/config");
      String same = annotation(render("greeter", "dev", with(Matrix.stableOnly(), "replicaCount", "2")), "checksum/config");
      String after = annotation(render("greeter", "dev", with(Matrix.stableOnly(), "config.GREETING", "Hi")), "checksum/config");
      assertThat(same).isEqualTo(before);
      assertThat(after).isNotEqualTo(before);
    }

    @Test
    void aSecretChangeRollsThePods() {
      String before = annotation(render("greeter", "dev", Matrix.stableOnly()), "checksum/secret");
      String after = annotation(render("greeter", "dev", with(Matrix.stableOnly(), "secret.plain.SECRET_MESSAGE", "new")), "checksum/secret");
      assertThat(after).isNotEqualTo(before);
    }

    private String annotation(List<Object> objects, String key) {
      return Charts.named(objects, Deployment.class, "greeter").getSpec().getTemplate().getMetadata().getAnnotations().get(key);
    }
  }

  @Nested
  class Secrets {
    private String secretRefName(List<Object> objects) {
      return app(Charts.named(objects, Deployment.class, "greeter")).getEnv().stream()
          .filter(e -> e.getName().equals("DUMMY_API_KEY")).findFirst().orElseThrow()
          .getValueFrom().getSecretKeyRef().getName();
    }

    @Test
    void plainRendersASecretForDev() {
      List<Object> objects = render("greeter", "dev", Matrix.stableOnly());
      Secret s = Charts.named(objects, Secret.class, "greeter");
      assertThat(s.getStringData()).containsOnlyKeys("DUMMY_API_KEY", "SECRET_MESSAGE");
      assertThat(secretRefName(objects)).isEqualTo("greeter");
    }

    @Test
    void existingRendersNoSecretAndReferencesTheNamedOne() {
      List<Object> objects = render("greeter", "prod", Matrix.secretModes().get(1));
      assertThat(Charts.ofType(objects, Secret.class)).isEmpty();
      assertThat(Charts.ofType(objects, CrdModels.SealedSecret.class)).isEmpty();
      assertThat(Charts.ofType(objects, CrdModels.ExternalSecret.class)).isEmpty();
      assertThat(secretRefName(objects)).isEqualTo("greeter-keys");
    }

    @Test
    void sealedRendersASealedSecretThatUnsealsIntoTheReferencedName() {
      List<Object> objects = render("greeter", "prod", Matrix.secretModes().get(2));
      assertThat(Charts.ofType(objects, Secret.class)).isEmpty();
      CrdModels.SealedSecret sealed = Charts.ofType(objects, CrdModels.SealedSecret.class).get(0);
      assertThat(sealed.spec().encryptedData()).containsOnlyKeys("DUMMY_API_KEY", "SECRET_MESSAGE");
      assertThat(sealed.spec().template().metadata().name()).isEqualTo(secretRefName(objects));
    }

    @Test
    void prodUsesAnExternalSecretFromTheStore() {
      List<Object> objects = render("greeter", "prod", Matrix.stableOnly());
      assertThat(Charts.ofType(objects, Secret.class)).as("no secret material in prod values").isEmpty();
      CrdModels.ExternalSecret es = Charts.ofType(objects, CrdModels.ExternalSecret.class).get(0);
      assertThat(es.spec().target().name()).isEqualTo(secretRefName(objects));
      assertThat(es.spec().secretStoreRef().kind()).isEqualTo("ClusterSecretStore");
      assertThat(es.spec().data()).extracting(d -> d.secretKey() + "<-" + d.remoteRef().key() + "#" + d.remoteRef().property())
          .containsExactlyInAnyOrder("DUMMY_API_KEY<-prod/greeter#DUMMY_API_KEY", "SECRET_MESSAGE<-prod/greeter#SECRET_MESSAGE");
    }

    @Test
    void timezonesHasNoSecretAtAll() {
      List<Object> objects = render("timezones", "prod", Matrix.stableOnly());
      assertThat(Charts.ofType(objects, CrdModels.ExternalSecret.class)).isEmpty();
      assertThat(app(Charts.named(objects, Deployment.class, "timezones")).getEnv())
          .noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null);
    }
  }

  @Nested
  class Edge {
    @Test
    void onlyGreeterOwnsTheHost() {
      assertThat(Charts.ofType(render("greeter", "prod", Matrix.stableOnly()), CrdModels.VirtualServer.class)).hasSize(1);
      assertThat(Charts.ofType(render("timezones", "prod", Matrix.stableOnly()), CrdModels.VirtualServer.class)).isEmpty();
      assertThat(Charts.ofType(render("timezones", "prod", Matrix.stableOnly()), CrdModels.VirtualServerRoute.class)).hasSize(1);
    }

    @Test
    void ingressOffRendersNoEdgeObjectsAndNoIngressControllerRule() {
      List<Object> objects = render("greeter", "prod", with(Matrix.stableOnly(), "ingress.enabled", "false"));
      assertThat(Charts.ofType(objects, CrdModels.VirtualServer.class)).isEmpty();
      assertThat(Charts.ofType(objects, CrdModels.VirtualServerRoute.class)).isEmpty();
      NetworkPolicy np = Charts.named(objects, NetworkPolicy.class, "greeter");
      assertThat(np.getSpec().getIngress()).noneMatch(r -> r.getFrom().stream().anyMatch(f -> f.getNamespaceSelector() != null
          && "nginx-ingress".equals(f.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))));
    }

    @Test
    void networkPolicyAdmitsIngressMeshAndMonitoringOnly() {
      NetworkPolicy np = Charts.named(render("greeter", "prod", Matrix.stableOnly()), NetworkPolicy.class, "greeter");
      assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
      assertThat(np.getSpec().getIngress()).extracting(r -> r.getFrom().get(0).getNamespaceSelector() == null
              ? "same-namespace" : r.getFrom().get(0).getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
          .containsExactly("nginx-ingress", "same-namespace", "monitoring");
      var monitoring = np.getSpec().getIngress().get(2);
      assertThat(monitoring.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactlyInAnyOrder(8081, 15090);
    }
  }

  @Nested
  class Monitoring {
    @Test
    void serviceMonitorScrapesTheAdminPortWithPodLabels() {
      ServiceMonitor sm = Charts.named(render("greeter", "prod", Matrix.canary(10)), ServiceMonitor.class, "greeter");
      assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
      assertThat(sm.getSpec().getPodTargetLabels()).containsExactly("app", "track", "version");
      assertThat(sm.getSpec().getEndpoints()).singleElement().satisfies(e -> {
        assertThat(e.getPort()).isEqualTo("http-admin");
        assertThat(e.getPath()).isEqualTo("/prometheus");
      });
    }

    @Test
    void podsOptOutOfIstioMetricsMergingSoNoSeriesIsScrapedTwice() {
      for (Deployment d : Charts.ofType(render("greeter", "prod", Matrix.canary(10)), Deployment.class)) {
        Map<String, String> a = d.getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(a).containsEntry("prometheus.istio.io/merge-metrics", "false").doesNotContainKey("prometheus.io/scrape");
      }
    }
  }

  @Nested
  class HelmTestPod {
    @Test
    void callsPingOnTheAdminPortFromOutsideTheMesh() throws Exception {
      String source = java.nio.file.Files.readString(Charts.SERVICE_CHART.resolve("templates/tests/ping.yaml"));
      assertThat(source).contains("\"helm.sh/hook\": test").contains("sidecar.istio.io/inject: \"false\"");
      Pod pod = Charts.ofType(render("greeter", "prod", Matrix.stableOnly()), Pod.class).get(0);
      assertThat(pod.getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
      assertThat(RenderedObjectsTest.env(pod.getSpec().getContainers().get(0), "URL")).isEqualTo("http://greeter.prod:8081/ping");
      assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "helm-test");
      List<Object> objects = render("greeter", "prod", Matrix.canary(10));
      var service = Charts.named(objects, io.fabric8.kubernetes.api.model.Service.class, "greeter");
      assertThat(pod.getMetadata().getLabels().entrySet().containsAll(service.getSpec().getSelector().entrySet()))
          .as("the Service must not select the test pod").isFalse();
      assertThat(pod.getMetadata().getLabels()).doesNotContainKeys("app", "track", "version");
      NetworkPolicy np = Charts.named(render("greeter", "prod", Matrix.stableOnly()), NetworkPolicy.class, "greeter-tests");
      assertThat(pod.getMetadata().getLabels().entrySet()).containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet());
    }
  }
}
