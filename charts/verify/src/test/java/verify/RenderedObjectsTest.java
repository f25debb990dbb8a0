package verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every values combination: rendered by Helm, read strictly into typed models, then policy checks. */
class RenderedObjectsTest {

  static Stream<Matrix> matrix() {
    return Matrix.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void everyObjectIsReadIntoItsTypedModel(Matrix m) {
    List<Object> objects = Charts.parseAll(m.render());
    assertThat(objects).isNotEmpty();
    assertThat(Charts.kindsOf(objects))
        .contains("Deployment", "Service", "ServiceAccount", "ConfigMap", "VirtualService",
            "DestinationRule", "AuthorizationPolicy", "PeerAuthentication", "NetworkPolicy",
            "ServiceMonitor", "Pod");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void everyContainerIsLockedDown(Matrix m) {
    List<Object> objects = Charts.parseAll(m.render());
    List<PodSpec> pods = new ArrayList<>();
    Charts.ofType(objects, Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
    Charts.ofType(objects, Pod.class).forEach(p -> pods.add(p.getSpec()));
    assertThat(pods).isNotEmpty();
    for (PodSpec pod : pods) {
      assertThat(pod.getAutomountServiceAccountToken()).isFalse();
      PodSecurityContext psc = pod.getSecurityContext();
      assertThat(psc.getRunAsNonRoot()).isTrue();
      assertThat(psc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      List<Container> all = new ArrayList<>(pod.getContainers());
      all.addAll(pod.getInitContainers());
      for (Container c : all) {
        SecurityContext sc = c.getSecurityContext();
        assertThat(sc).as(c.getName()).isNotNull();
        assertThat(sc.getRunAsNonRoot()).as(c.getName()).isTrue();
        assertThat(sc.getRunAsUser()).as(c.getName()).isNotNull().isPositive();
        assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).as(c.getName()).contains("ALL");
        assertThat(sc.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
        assertThat(sc.getSeccompProfile().getType()).as(c.getName()).isEqualTo("RuntimeDefault");
        assertThat(sc.getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
        for (String kind : List.of("requests", "limits")) {
          var q = kind.equals("requests") ? c.getResources().getRequests() : c.getResources().getLimits();
          assertThat(q).as("%s %s", c.getName(), kind).containsKeys("cpu", "memory");
        }
        String image = c.getImage();
        assertThat(image).as(c.getName()).matches(".+(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[a-f0-9]{64})").doesNotEndWith(":latest");
        assertThat(c.getVolumeMounts()).as(c.getName()).anyMatch(v -> v.getMountPath().equals("/tmp"));
        String tmpVolume = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals("/tmp")).findFirst().orElseThrow().getName();
        assertThat(pod.getVolumes()).anyMatch(v -> v.getName().equals(tmpVolume) && v.getEmptyDir() != null);
      }
    }
    for (ServiceAccount sa : Charts.ofType(objects, ServiceAccount.class)) {
      assertThat(sa.getAutomountServiceAccountToken()).isFalse();
    }
  }

  /** Production runs only images a pipeline built and recorded by digest (contract 1: REPOSITORY@sha256:...). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void prodRunsEveryServiceImageByDigest(Matrix m) {
    org.junit.jupiter.api.Assumptions.assumeTrue(m.env().equals("prod"));
    for (Deployment d : Charts.ofType(Charts.parseAll(m.render()), Deployment.class)) {
      String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
      assertThat(image).as(d.getMetadata().getName()).matches(m.service() + "@sha256:[a-f0-9]{64}");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void deploymentsProbeTheAdminPortAndOutliveTheirShutdown(Matrix m) {
    List<Deployment> deployments = Charts.ofType(Charts.parseAll(m.render()), Deployment.class);
    assertThat(deployments).isNotEmpty();
    for (Deployment d : deployments) {
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      Container app = pod.getContainers().get(0);
      assertThat(app.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
          .containsExactly("http:8080", "http-admin:8081");
      assertProbe(app.getStartupProbe(), "/ping");
      assertProbe(app.getLivenessProbe(), "/ping");
      assertProbe(app.getReadinessProbe(), "/ready");

      long wait = seconds(env(app, "SHUTDOWN_WAIT_PERIOD"));
      long grace = seconds(env(app, "SHUTDOWN_GRACE_PERIOD"));
      String proxyConfig = d.getSpec().getTemplate().getMetadata().getAnnotations().get("proxy.istio.io/config");
      assertThat(proxyConfig).contains("holdApplicationUntilProxyStarts: true");
      Matcher drain = Pattern.compile("terminationDrainDuration: (\\d+)s").matcher(proxyConfig);
      assertThat(drain.find()).isTrue();
      long sidecarDrain = Long.parseLong(drain.group(1));
      // The sidecar must keep carrying traffic while the app drains, and the kubelet must not kill either.
      assertThat(sidecarDrain).isGreaterThan(wait + grace);
      assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(wait + grace + sidecarDrain);
    }
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe).isNotNull();
    HTTPGetAction get = probe.getHttpGet();
    assertThat(get.getPath()).isEqualTo(path);
    assertThat(get.getPort().getStrVal()).isEqualTo("http-admin");
  }

  static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue)
        .findFirst().orElseThrow(() -> new AssertionError("no env " + name));
  }

  static long seconds(String duration) {
    assertThat(duration).matches("\\d+s");
    return Long.parseLong(duration.substring(0, duration.length() - 1));
  }

  static Map<String, String> podLabels(Deployment d) {
    return d.getSpec().getTemplate().getMetadata().getLabels();
  }
}
