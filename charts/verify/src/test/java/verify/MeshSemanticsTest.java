package verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.security.v1.AuthorizationPolicy;
import io.fabric8.istio.api.security.v1.PeerAuthentication;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checks `istioctl analyze` would make, over both releases of one namespace rendered together:
 * weights, subsets, hosts, port names, and that every workload an AuthorizationPolicy names exists.
 */
class MeshSemanticsTest {

  /** The ingress controller's identity, from its values file (its namespace is the one NetworkPolicies allow). */
  static String ingressPrincipal() {
    var values = Charts.readYamlFile(Path.of("charts/platform/values/nginx-ingress.yaml"));
    String sa = values.path("controller").path("serviceAccount").path("name").asText();
    assertThat(sa).isNotEmpty();
    return "cluster.local/ns/nginx-ingress/sa/" + sa;
  }

  static Stream<Arguments> namespaces() {
    List<Arguments> args = new ArrayList<>();
    for (String env : Matrix.ENVS) {
      args.add(Arguments.of(env, Matrix.stableOnly()));
      for (int w : Matrix.WEIGHTS) {
        args.add(Arguments.of(env, Matrix.canary(w)));
      }
    }
    return args.stream();
  }

  static List<Object> namespace(String env, Map<String, String> sets) {
    List<Object> all = new ArrayList<>();
    for (String service : Matrix.SERVICES) {
      all.addAll(Charts.parseAll(Charts.renderService(service, env, sets)));
    }
    return all;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("namespaces")
  void routesAreConsistent(String env, Map<String, String> sets) {
    List<Object> all = namespace(env, sets);
    boolean canary = "true".equals(sets.get("canary.enabled"));
    int weight = canary ? Integer.parseInt(sets.get("canary.weight")) : 0;
    Set<String> serviceHosts =
        Charts.ofType(all, Service.class).stream()
            .map(s -> s.getMetadata().getName() + "." + s.getMetadata().getNamespace() + ".svc.cluster.local")
            .collect(Collectors.toSet());
    List<DestinationRule> rules = Charts.ofType(all, DestinationRule.class);
    List<Deployment> deployments = Charts.ofType(all, Deployment.class);
    List<VirtualService> virtualServices = Charts.ofType(all, VirtualService.class);
    assertThat(virtualServices).hasSize(2);

    for (VirtualService vs : virtualServices) {
      assertThat(vs.getSpec().getHosts()).allMatch(serviceHosts::contains);
      List<HTTPRoute> http = vs.getSpec().getHttp();
      if (canary) {
        HTTPRoute first = http.get(0);
        assertThat(first.getName()).isEqualTo("canary-override");
        assertThat(first.getMatch().get(0).getHeaders()).containsKey("x-canary");
        assertThat(first.getRoute()).singleElement().satisfies(d -> assertThat(d.getDestination().getSubset()).isEqualTo("canary"));
      }
      HTTPRoute last = http.get(http.size() - 1);
      assertThat(last.getMatch()).as("the weighted default route is last and matches everything").isNullOrEmpty();
      for (HTTPRoute route : http) {
        int sum = route.getRoute().stream().mapToInt(d -> d.getWeight() == null ? 100 : d.getWeight()).sum();
        assertThat(sum).as("%s weights", route.getName()).isEqualTo(100);
        boolean idempotentOnly =
            route.getMatch() != null && !route.getMatch().isEmpty()
                && route.getMatch().stream().allMatch(m -> m.getMethod() != null
                    && Set.of("GET", "HEAD").contains(String.valueOf(m.getMethod().getMatchType()).replaceAll(".*exact=([A-Z]+).*", "$1")));
        // Without a retries block Istio retries twice by default: absence counts as 2.
        int attempts = route.getRetries() == null ? 2 : route.getRetries().getAttempts();
        if (!idempotentOnly) {
          assertThat(attempts).as("%s: no retries on non-idempotent calls", route.getName()).isZero();
        } else {
          assertThat(attempts).as("%s: bounded retries", route.getName()).isBetween(1, 3);
        }
        assertThat(route.getTimeout()).as("%s timeout", route.getName()).isNotBlank();
        for (HTTPRouteDestination d : route.getRoute()) {
          String host = d.getDestination().getHost();
          assertThat(serviceHosts).as("destination host").contains(host);
          DestinationRule dr = rules.stream().filter(r -> r.getSpec().getHost().equals(host)).findFirst().orElseThrow();
          assertThat(dr.getSpec().getSubsets()).as("subset %s of %s", d.getDestination().getSubset(), host)
              .anyMatch(s -> s.getName().equals(d.getDestination().getSubset()));
        }
      }
      // The default route carries exactly the configured split.
      Map<String, Integer> split = last.getRoute().stream().collect(Collectors.toMap(d -> d.getDestination().getSubset(), HTTPRouteDestination::getWeight));
      Map<String, Integer> expected = new java.util.HashMap<>();
      if (weight < 100) expected.put("stable", 100 - weight);
      if (weight > 0) expected.put("canary", weight);
      assertThat(split).isEqualTo(expected);
    }

    for (DestinationRule dr : rules) {
      assertThat(dr.getSpec().getTrafficPolicy().getTls().getMode().toString()).isEqualTo("ISTIO_MUTUAL");
      assertThat(dr.getSpec().getTrafficPolicy().getConnectionPool()).isNotNull();
      assertThat(dr.getSpec().getTrafficPolicy().getOutlierDetection()).isNotNull();
      assertThat(dr.getSpec().getSubsets()).extracting(s -> s.getName() + "=" + s.getLabels())
          .containsExactlyInAnyOrder("stable={track=stable}", "canary={track=canary}");
      // Every subset a route can send traffic to selects pods of a rendered Deployment.
      String release = dr.getMetadata().getName();
      for (var subset : dr.getSpec().getSubsets()) {
        boolean needed = subset.getName().equals("stable") || canary;
        if (needed) {
          assertThat(deployments).as("pods for subset %s of %s", subset.getName(), release)
              .anyMatch(d -> RenderedObjectsTest.podLabels(d).get("app.kubernetes.io/instance").equals(release)
                  && RenderedObjectsTest.podLabels(d).entrySet().containsAll(subset.getLabels().entrySet()));
        }
      }
    }

    for (Service s : Charts.ofType(all, Service.class)) {
      assertThat(s.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getName()).matches("(http|http2|https|grpc|grpc-web|tcp|tls)(-.*)?"));
    }
  }

  /**
   * Contract 2 (scripts/smoke-test counts the tracks through the edge): Envoy adds the headers of the
   * destination it picked (Istio HTTPRouteDestination.headers.response.set), so every destination of every
   * route must tag its responses `x-track` with the subset it sends to, or the count is wrong.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("namespaces")
  void everyDestinationTagsItsResponsesWithItsTrack(String env, Map<String, String> sets) {
    for (VirtualService vs : Charts.ofType(namespace(env, sets), VirtualService.class)) {
      for (HTTPRoute route : vs.getSpec().getHttp()) {
        for (HTTPRouteDestination d : route.getRoute()) {
          assertThat(d.getHeaders()).as("%s/%s -> %s: headers", vs.getMetadata().getName(), route.getName(), d.getDestination().getSubset()).isNotNull();
          assertThat(d.getHeaders().getResponse().getSet())
              .as("%s/%s -> %s", vs.getMetadata().getName(), route.getName(), d.getDestination().getSubset())
              .containsEntry("x-track", d.getDestination().getSubset());
          assertThat(d.getDestination().getSubset()).isIn("stable", "canary");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("namespaces")
  void authorizationPoliciesNameExistingWorkloads(String env, Map<String, String> sets) {
    List<Object> all = namespace(env, sets);
    Set<String> principals = new HashSet<>();
    principals.add(ingressPrincipal());
    for (ServiceAccount sa : Charts.ofType(all, ServiceAccount.class)) {
      principals.add("cluster.local/ns/" + sa.getMetadata().getNamespace() + "/sa/" + sa.getMetadata().getName());
    }
    List<Deployment> deployments = Charts.ofType(all, Deployment.class);
    for (AuthorizationPolicy ap : Charts.ofType(all, AuthorizationPolicy.class)) {
      Map<String, String> selector = ap.getSpec().getSelector().getMatchLabels();
      assertThat(deployments).as("workload selected by %s", ap.getMetadata().getName())
          .anyMatch(d -> RenderedObjectsTest.podLabels(d).entrySet().containsAll(selector.entrySet()));
      Set<String> containerPorts = deployments.stream()
          .filter(d -> RenderedObjectsTest.podLabels(d).entrySet().containsAll(selector.entrySet()))
          .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
          .flatMap(c -> c.getPorts().stream()).map(p -> String.valueOf(p.getContainerPort()))
          .collect(Collectors.toSet());
      assertThat(ap.getSpec().getRules()).isNotEmpty().allSatisfy(rule -> {
        rule.getTo().forEach(to -> assertThat(containerPorts).containsAll(to.getOperation().getPorts()));
        if (rule.getFrom() != null) {
          rule.getFrom().forEach(from -> assertThat(principals).containsAll(from.getSource().getPrincipals()));
        }
      });
    }
    // greeter may call timezones, and timezones' policy says so.
    AuthorizationPolicy timezones = Charts.named(all, AuthorizationPolicy.class, "timezones");
    assertThat(timezones.getSpec().getRules()).anyMatch(r -> r.getFrom() != null && r.getFrom().stream()
        .anyMatch(f -> f.getSource().getPrincipals().contains("cluster.local/ns/" + env + "/sa/greeter")));
    // ...and its NetworkPolicy egress points at a release that exists here.
    NetworkPolicy greeterNp = Charts.named(all, NetworkPolicy.class, "greeter");
    assertThat(greeterNp.getSpec().getEgress()).allSatisfy(e -> e.getTo().forEach(peer ->
        assertThat(deployments).anyMatch(d -> RenderedObjectsTest.podLabels(d).entrySet()
            .containsAll(peer.getPodSelector().getMatchLabels().entrySet()))));
    for (PeerAuthentication pa : Charts.ofType(all, PeerAuthentication.class)) {
      assertThat(pa.getSpec().getMtls().getMode().toString()).isEqualTo("STRICT");
      assertThat(pa.getSpec().getPortLevelMtls()).containsOnlyKeys("8081").hasEntrySatisfying("8081",
          m -> assertThat(m.getMode().toString()).isEqualTo("PERMISSIVE"));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("namespaces")
  void edgeReachesServicesThroughTheirVirtualService(String env, Map<String, String> sets) {
    List<Object> all = namespace(env, sets);
    List<CrdModels.VirtualServer> servers = Charts.ofType(all, CrdModels.VirtualServer.class);
    List<CrdModels.VirtualServerRoute> routes = Charts.ofType(all, CrdModels.VirtualServerRoute.class);
    assertThat(servers).as("one VirtualServer for the host").hasSize(1);
    CrdModels.VirtualServer vs = servers.get(0);
    assertThat(vs.spec().tls().certManager().clusterIssuer())
        .isEqualTo(env.equals("prod") ? "letsencrypt-prod" : "letsencrypt-staging");
    assertThat(vs.spec().routes()).extracting(CrdModels.Route::path).containsExactlyInAnyOrder("/", "/timezones");
    Set<String> istioHosts = Charts.ofType(all, VirtualService.class).stream()
        .flatMap(v -> v.getSpec().getHosts().stream()).collect(Collectors.toSet());
    for (CrdModels.Route r : vs.spec().routes()) {
      CrdModels.VirtualServerRoute vsr = routes.stream()
          .filter(x -> (x.metadata().namespace() + "/" + x.metadata().name()).equals(r.route()))
          .findFirst().orElseThrow(() -> new AssertionError("no VirtualServerRoute " + r.route()));
      assertThat(vsr.spec().host()).isEqualTo(vs.spec().host());
      assertThat(vsr.spec().subroutes()).allSatisfy(s -> assertThat(s.path()).startsWith(r.path()));
      Service svc = Charts.named(all, Service.class, vsr.spec().upstreams().get(0).service());
      CrdModels.Upstream up = vsr.spec().upstreams().get(0);
      assertThat(up.useClusterIp()).as("cluster-IP upstream so the sidecar routes").isTrue();
      assertThat(svc.getSpec().getPorts()).anyMatch(p -> p.getPort().equals(up.port()));
      String hostHeader = vsr.spec().subroutes().get(0).action().proxy().requestHeaders().set().stream()
          .filter(h -> h.name().equals("Host")).findFirst().orElseThrow().value();
      assertThat(hostHeader).isEqualTo(svc.getMetadata().getName() + "." + env + ".svc.cluster.local");
      assertThat(istioHosts).as("the Host header names a host a VirtualService routes").contains(hostHeader);
    }
  }
}
