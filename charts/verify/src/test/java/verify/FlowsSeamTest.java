package verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.istio.api.security.v1.AuthorizationPolicy;
import io.fabric8.istio.api.security.v1.PeerAuthentication;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every flow of the system, written once as data, and the checks derived from it: both charts'
 * NetworkPolicies admit each flow (source egress AND destination ingress, union semantics), the mesh
 * carries it (injection, capture, mTLS mode, AuthorizationPolicy with the principal of the ServiceAccount
 * that really runs the caller), and nothing outside the table reaches a service port. A new flow is one line.
 */
class FlowsSeamTest {

  /** How the bytes travel. */
  enum Via {
    /** sidecar to sidecar: the caller's principal is its ServiceAccount. */
    MTLS,
    /** an unmeshed caller in plain text (the destination port must be PERMISSIVE or not captured). */
    PLAINTEXT,
    /** a meshed caller straight to a pod IP outside the mesh registry (must bypass its sidecar). */
    DIRECT,
    /** the kubelet on the pod's node (probes, rewritten by the injector to the agent's port 15020). */
    NODE
  }

  /**
   * from/to: roles of {@link ClusterModel} (a release name means all its pods, stable and canary; "*" every
   * pod of the environment; "*meshed" every injected pod there). request: "METHOD /path" for HTTP.
   */
  record Flow(String from, String to, int port, String protocol, String request, Via via) {}

  static final List<Flow> FLOWS = List.of(
      // The load balancer reaches NGINX directly: TLS ends in NGINX, inbound 80/443 bypass Envoy (F5's guide).
      new Flow("client", "edge", 443, "TCP", null, Via.PLAINTEXT),
      new Flow("client", "edge", 80, "TCP", null, Via.PLAINTEXT),
      // NGINX -> Service cluster IP -> its sidecar applies the VirtualService and speaks mTLS.
      new Flow("edge", "greeter", 8080, "TCP", "GET /", Via.MTLS),
      new Flow("edge", "greeter", 8080, "TCP", "GET /secret", Via.MTLS),
      new Flow("edge", "greeter", 8080, "TCP", "GET /time", Via.MTLS),
      new Flow("edge", "timezones", 8080, "TCP", "GET /timezones", Via.MTLS),
      new Flow("edge", "timezones", 8080, "TCP", "GET /timezones/Asia/Kolkata", Via.MTLS),
      new Flow("greeter", "timezones", 8080, "TCP", "GET /timezones/Europe/Paris", Via.MTLS),
      // Prometheus runs outside the mesh: the app's metrics on the PERMISSIVE admin port, Envoy's on 15090.
      new Flow("prometheus", "greeter", 8081, "TCP", "GET /prometheus", Via.PLAINTEXT),
      new Flow("prometheus", "timezones", 8081, "TCP", "GET /prometheus", Via.PLAINTEXT),
      new Flow("prometheus", "greeter", 15090, "TCP", "GET /stats/prometheus", Via.PLAINTEXT),
      new Flow("prometheus", "timezones", 15090, "TCP", "GET /stats/prometheus", Via.PLAINTEXT),
      new Flow("kubelet", "greeter", 15020, "TCP", "GET /app-health/greeter/readyz", Via.NODE),
      new Flow("kubelet", "timezones", 15020, "TCP", "GET /app-health/timezones/readyz", Via.NODE),
      // helm test pods (unmeshed) call their release's admin port.
      new Flow("greeter-test", "greeter", 8081, "TCP", "GET /ping", Via.PLAINTEXT),
      new Flow("timezones-test", "timezones", 8081, "TCP", "GET /ping", Via.PLAINTEXT),
      // Let's Encrypt -> NGINX -> the challenge Ingress' backend: the solver pod's IP, Host = the public name.
      new Flow("edge", "acme-solver", 8089, "TCP", "GET /.well-known/acme-challenge/token", Via.DIRECT),
      new Flow("*", "kube-dns", 53, "UDP", null, Via.PLAINTEXT),
      new Flow("*", "kube-dns", 53, "TCP", null, Via.PLAINTEXT),
      new Flow("*", "node-local-dns", 53, "UDP", null, Via.PLAINTEXT),
      new Flow("*", "node-local-dns", 53, "TCP", null, Via.PLAINTEXT),
      new Flow("*meshed", "istiod", 15012, "TCP", null, Via.PLAINTEXT));

  /** The ports of the services that only the table's callers may reach. */
  static final Set<Integer> SERVICE_PORTS = Set.of(8080, 8081);

  record Pair(ClusterModel.Endpoint from, ClusterModel.Endpoint to) {}

  static final class Env {
    final ClusterModel cluster;
    final List<NetworkPolicy> policies = new ArrayList<>();
    final List<AuthorizationPolicy> authz = new ArrayList<>();
    final List<PeerAuthentication> peerAuth = new ArrayList<>();

    Env(String env) {
      cluster = new ClusterModel(env, Matrix.canary(50));
      policies.addAll(Charts.ofType(cluster.platform, NetworkPolicy.class));
      policies.addAll(Charts.ofType(cluster.services, NetworkPolicy.class));
      List<Object> mesh = new ArrayList<>(cluster.services);
      try {
        mesh.addAll(IstioFilesTest.objectsUnder("istio/mesh"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      authz.addAll(Charts.ofType(mesh, AuthorizationPolicy.class));
      peerAuth.addAll(Charts.ofType(mesh, PeerAuthentication.class));
      cluster.endpoints.put("client", new ClusterModel.Endpoint("client", null, Map.of(), Map.of(), null, Map.of(), List.of(), "203.0.113.10", false));
    }

    List<ClusterModel.Endpoint> resolve(String role) {
      List<ClusterModel.Endpoint> out = new ArrayList<>();
      if (role.equals("*") || role.equals("*meshed")) {
        for (var e : cluster.endpoints.values()) {
          if (e.isPod() && cluster.env.equals(e.namespace()) && !e.role().equals("intruder")
              && (role.equals("*") || cluster.injected(e))) {
            out.add(e);
          }
        }
        return out;
      }
      out.addAll(cluster.releasePods(role));
      if (out.isEmpty()) {
        out.add(cluster.get(role));
      }
      return out;
    }

    List<Pair> pairs(Flow f) {
      List<Pair> pairs = new ArrayList<>();
      for (var from : resolve(f.from())) {
        for (var to : resolve(f.to())) {
          pairs.add(new Pair(from, to));
        }
      }
      return pairs;
    }

    /** The table's role for an endpoint: its release for service pods, else its own role. */
    String role(ClusterModel.Endpoint e) {
      String instance = e.labels().get("app.kubernetes.io/instance");
      if (instance != null && !"helm-test".equals(e.labels().get("app.kubernetes.io/component"))) {
        return instance;
      }
      return e.role();
    }

    boolean networkAllows(ClusterModel.Endpoint from, ClusterModel.Endpoint to, int port, String protocol) {
      return NetworkPolicyRules.allowed(policies, cluster::namespaceLabels, from, to, port, protocol);
    }
  }

  static String method(Flow f) {
    return f.request().split(" ")[0];
  }

  static String path(Flow f) {
    return f.request().split(" ")[1];
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void networkPoliciesOfBothChartsAdmitEveryFlow(String envName) {
    Env env = new Env(envName);
    List<String> refused = new ArrayList<>();
    for (Flow f : FLOWS) {
      List<Pair> pairs = env.pairs(f);
      assertThat(pairs).as("endpoints of %s", f).isNotEmpty();
      for (Pair p : pairs) {
        if (!env.networkAllows(p.from(), p.to(), f.port(), f.protocol())) {
          refused.add(p.from().role() + " -> " + p.to().role() + ":" + f.port() + "/" + f.protocol());
        }
      }
    }
    assertThat(refused).as("flows a NetworkPolicy refuses in %s", envName).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void theMeshCarriesEveryFlowWithTheCallersRealIdentity(String envName) {
    Env env = new Env(envName);
    JsonNode mesh = Charts.readYamlFile(Path.of("istio/values-istiod.yaml")).path("meshConfig");
    boolean registryOnly = "REGISTRY_ONLY".equals(mesh.path("outboundTrafficPolicy").path("mode").asText());
    List<String> failures = new ArrayList<>();
    for (Flow f : FLOWS) {
      for (Pair p : env.pairs(f)) {
        ClusterModel.Endpoint from = p.from();
        ClusterModel.Endpoint to = p.to();
        String what = from.role() + " -> " + to.role() + ":" + f.port() + " " + (f.request() == null ? "" : f.request());
        boolean fromMeshed = env.cluster.injected(from);
        boolean toMeshed = env.cluster.injected(to);
        switch (f.via()) {
          case MTLS -> {
            if (!fromMeshed) {
              failures.add(what + ": the caller has no sidecar, so it sends plain text");
            } else if (!IstioTraffic.outboundCaptured(from, f.port())) {
              failures.add(what + ": the caller's sidecar does not capture port " + f.port());
            }
            if (!toMeshed) {
              failures.add(what + ": the destination has no sidecar");
            } else if (fromMeshed && !IstioTraffic.authorized(env.authz, to, f.port(), method(f), path(f), IstioTraffic.principal(from))) {
              failures.add(what + ": AuthorizationPolicy denies " + IstioTraffic.principal(from));
            }
            if (toMeshed && !fromMeshed && IstioTraffic.inboundCaptured(to, f.port())
                && "STRICT".equals(IstioTraffic.mtlsMode(env.peerAuth, to, f.port()))) {
              failures.add(what + ": STRICT mTLS refuses the plain-text connection");
            }
          }
          case PLAINTEXT -> {
            if (fromMeshed && to.isPod() && env.cluster.injected(to) && IstioTraffic.outboundCaptured(from, f.port())) {
              continue; // a meshed caller's sidecar upgrades it to mTLS; nothing else to check for DNS/istiod
            }
            if (toMeshed && IstioTraffic.inboundCaptured(to, f.port())) {
              String mode = IstioTraffic.mtlsMode(env.peerAuth, to, f.port());
              if ("STRICT".equals(mode)) {
                failures.add(what + ": port " + f.port() + " is captured and STRICT, plain text is refused");
              } else if (f.request() != null && !IstioTraffic.authorized(env.authz, to, f.port(), method(f), path(f), null)) {
                failures.add(what + ": AuthorizationPolicy denies the plain-text caller");
              }
            }
          }
          case DIRECT -> {
            if (fromMeshed && registryOnly && IstioTraffic.outboundCaptured(from, f.port())) {
              failures.add(what + ": the caller's sidecar captures port " + f.port()
                  + " and REGISTRY_ONLY sends a request for a host outside the registry to the BlackHoleCluster");
            }
            if (toMeshed) {
              failures.add(what + ": the destination must stay out of the mesh (it is reached by pod IP in plain text)");
            }
          }
          case NODE -> {
            if (f.port() != 15020 || !toMeshed) {
              failures.add(what + ": probes of a meshed pod reach the agent on 15020");
            }
          }
        }
      }
    }
    assertThat(failures).as("flows the mesh would break in %s", envName).isEmpty();
  }

  /** Istio rewrites httpGet probes to the agent (sidecar.istio.io/rewriteAppHTTPProbers, on by default). */
  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void probesAreRewrittenToTheAgentSoTheKubeletFlowIsTheOneInTheTable(String envName) {
    Env env = new Env(envName);
    for (Deployment d : Charts.ofType(env.cluster.services, Deployment.class)) {
      var template = d.getSpec().getTemplate();
      assertThat(template.getMetadata().getAnnotations()).as(d.getMetadata().getName())
          .doesNotContainEntry("sidecar.istio.io/rewriteAppHTTPProbers", "false");
      for (var c : template.getSpec().getContainers()) {
        for (Probe probe : new Probe[] {c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()}) {
          assertThat(probe).as("%s probes", c.getName()).isNotNull();
          assertThat(probe.getHttpGet()).as("%s: only httpGet probes are rewritten to 15020", c.getName()).isNotNull();
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void noFlowOutsideTheTableReachesAServicePort(String envName) {
    Env env = new Env(envName);
    Set<String> listed = new HashSet<>();
    for (Flow f : FLOWS) {
      for (Pair p : env.pairs(f)) {
        listed.add(env.role(p.from()) + ">" + env.role(p.to()) + ":" + f.port());
      }
    }
    List<String> extra = new ArrayList<>();
    for (var from : env.cluster.endpoints.values()) {
      if (from.node()) {
        continue; // the node's own traffic is always allowed (the Kubernetes rule); STRICT mTLS guards the app port
      }
      for (String release : Matrix.SERVICES) {
        for (var to : env.cluster.releasePods(release)) {
          for (int port : SERVICE_PORTS) {
            String key = env.role(from) + ">" + release + ":" + port;
            if (from != to && !listed.contains(key) && env.networkAllows(from, to, port, "TCP")) {
              extra.add(from.role() + " -> " + to.role() + ":" + port);
            }
          }
        }
      }
    }
    assertThat(extra).as("connections NetworkPolicy admits that no flow needs, in %s", envName).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void aPrincipalTheTableDoesNotListIsDeniedAndPlainTextIsRefused(String envName) {
    Env env = new Env(envName);
    Set<String> principals = new java.util.LinkedHashSet<>();
    for (var e : env.cluster.endpoints.values()) {
      if (e.isPod()) {
        principals.add(IstioTraffic.principal(e));
      }
    }
    principals.add("cluster.local/ns/" + envName + "/sa/intruder");
    principals.add("cluster.local/ns/other/sa/greeter");
    Set<String> wrong = new java.util.LinkedHashSet<>();
    for (Flow f : FLOWS) {
      if (f.via() != Via.MTLS) {
        continue;
      }
      Set<String> allowed = new HashSet<>();
      env.resolve(f.from()).forEach(e -> allowed.add(IstioTraffic.principal(e)));
      for (var to : env.resolve(f.to())) {
        for (String principal : principals) {
          boolean listedElsewhere = FLOWS.stream().anyMatch(g -> g.via() == Via.MTLS && g.port() == f.port()
              && env.resolve(g.to()).contains(to) && env.resolve(g.from()).stream().anyMatch(e -> IstioTraffic.principal(e).equals(principal)));
          if (!allowed.contains(principal) && !listedElsewhere
              && IstioTraffic.authorized(env.authz, to, f.port(), method(f), path(f), principal)) {
            wrong.add(principal + " -> " + to.role() + ":" + f.port() + " " + f.request());
          }
        }
        if (IstioTraffic.inboundCaptured(to, f.port()) && !"STRICT".equals(IstioTraffic.mtlsMode(env.peerAuth, to, f.port()))) {
          wrong.add("plain text accepted on " + to.role() + ":" + f.port());
        }
      }
    }
    assertThat(wrong).as("callers the mesh lets in although no flow names them, in %s", envName).isEmpty();
  }
}
