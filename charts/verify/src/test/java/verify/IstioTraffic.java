package verify;

import io.fabric8.istio.api.security.v1.AuthorizationPolicy;
import io.fabric8.istio.api.security.v1.PeerAuthentication;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a sidecar does with a connection, by Istio's documented rules (istio.io/latest/docs/reference/config/
 * security/peer_authentication/, .../authorization-policy/, .../annotations/):
 *
 * <ul>
 *   <li>Inbound capture: every port unless traffic.sidecar.istio.io/includeInboundPorts narrows it or
 *       excludeInboundPorts removes it; the injector always excludes 15090, 15021 and the status port 15020
 *       (injection-template.yaml, istio-iptables "-d 15090,15021,..."). Uncaptured ports reach the app
 *       directly: no mTLS, no AuthorizationPolicy.
 *   <li>mTLS mode of a captured port: the workload PeerAuthentication's portLevelMtls, else its mtls, else
 *       the namespace-wide one, else the root namespace's (istio-system); UNSET inherits; none is
 *       PERMISSIVE. STRICT refuses plaintext.
 *   <li>Authorization: policies of the root namespace apply to every workload, those of the workload's
 *       namespace when their selector matches (or is absent); a matching DENY denies; with no ALLOW policy
 *       the request is allowed; otherwise one rule of an ALLOW policy must match (all of its from, to
 *       fields). A principal exists only over mTLS.
 *   <li>Outbound: a meshed source's connection is captured unless its port is in
 *       traffic.sidecar.istio.io/excludeOutboundPorts; with meshConfig.outboundTrafficPolicy REGISTRY_ONLY a
 *       captured request for a host outside the registry (a pod IP with the public host name, as NGINX sends
 *       the ACME challenge) goes to the BlackHoleCluster.
 * </ul>
 */
final class IstioTraffic {
  private IstioTraffic() {}

  static final String ROOT_NAMESPACE = "istio-system";
  static final Set<Integer> NEVER_CAPTURED_INBOUND = Set.of(15090, 15021, 15020);

  static boolean inboundCaptured(ClusterModel.Endpoint dst, int port) {
    if (NEVER_CAPTURED_INBOUND.contains(port)) {
      return false;
    }
    String include = dst.annotations().get("traffic.sidecar.istio.io/includeInboundPorts");
    if (include != null && !include.equals("*") && !ports(include).contains(port)) {
      return false;
    }
    return !ports(dst.annotations().getOrDefault("traffic.sidecar.istio.io/excludeInboundPorts", "")).contains(port);
  }

  static boolean outboundCaptured(ClusterModel.Endpoint src, int port) {
    return !ports(src.annotations().getOrDefault("traffic.sidecar.istio.io/excludeOutboundPorts", "")).contains(port);
  }

  static List<Integer> ports(String list) {
    List<Integer> out = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isBlank()) {
        out.add(Integer.parseInt(s.strip()));
      }
    }
    return out;
  }

  static String mtlsMode(List<PeerAuthentication> all, ClusterModel.Endpoint dst, int port) {
    String mode = null;
    for (PeerAuthentication pa : all) {
      boolean workload = pa.getMetadata().getNamespace().equals(dst.namespace()) && pa.getSpec().getSelector() != null
          && matches(pa.getSpec().getSelector().getMatchLabels(), dst.labels());
      if (!workload) {
        continue;
      }
      var portLevel = pa.getSpec().getPortLevelMtls() == null ? null : pa.getSpec().getPortLevelMtls().get(String.valueOf(port));
      mode = firstSet(portLevel == null ? null : String.valueOf(portLevel.getMode()), pa.getSpec().getMtls() == null ? null : String.valueOf(pa.getSpec().getMtls().getMode()));
    }
    if (mode == null) {
      mode = namespaceWide(all, dst.namespace());
    }
    if (mode == null) {
      mode = namespaceWide(all, ROOT_NAMESPACE);
    }
    return mode == null ? "PERMISSIVE" : mode;
  }

  private static String namespaceWide(List<PeerAuthentication> all, String namespace) {
    for (PeerAuthentication pa : all) {
      if (pa.getMetadata().getNamespace().equals(namespace) && pa.getSpec().getSelector() == null && pa.getSpec().getMtls() != null) {
        return firstSet(String.valueOf(pa.getSpec().getMtls().getMode()));
      }
    }
    return null;
  }

  private static String firstSet(String... modes) {
    for (String m : modes) {
      if (m != null && !m.equals("null") && !m.equals("UNSET")) {
        return m;
      }
    }
    return null;
  }

  /** principal: the caller's SPIFFE principal, or null for a plaintext caller. */
  static boolean authorized(List<AuthorizationPolicy> all, ClusterModel.Endpoint dst, int port, String method, String path, String principal) {
    List<AuthorizationPolicy> applicable = all.stream()
        .filter(p -> p.getMetadata().getNamespace().equals(ROOT_NAMESPACE)
            || (p.getMetadata().getNamespace().equals(dst.namespace())
                && (p.getSpec().getSelector() == null || matches(p.getSpec().getSelector().getMatchLabels(), dst.labels()))))
        .toList();
    for (AuthorizationPolicy p : applicable) {
      if ("DENY".equals(String.valueOf(p.getSpec().getAction())) && anyRule(p, port, method, path, principal)) {
        return false;
      }
    }
    List<AuthorizationPolicy> allows = applicable.stream()
        .filter(p -> p.getSpec().getAction() == null || "ALLOW".equals(String.valueOf(p.getSpec().getAction())))
        .toList();
    return allows.isEmpty() || allows.stream().anyMatch(p -> anyRule(p, port, method, path, principal));
  }

  private static boolean anyRule(AuthorizationPolicy p, int port, String method, String path, String principal) {
    if (p.getSpec().getRules() == null) {
      return false;
    }
    for (var rule : p.getSpec().getRules()) {
      if (rule.getWhen() != null && !rule.getWhen().isEmpty()) {
        throw new AssertionError(p.getMetadata().getName() + ": `when` conditions are not modelled");
      }
      boolean from = rule.getFrom() == null || rule.getFrom().isEmpty() || rule.getFrom().stream().anyMatch(f -> {
        var s = f.getSource();
        if (s.getPrincipals() != null && !s.getPrincipals().isEmpty()) {
          return principal != null && s.getPrincipals().stream().anyMatch(x -> stringMatch(x, principal));
        }
        if (s.getNamespaces() != null && !s.getNamespaces().isEmpty()) {
          return principal != null && s.getNamespaces().stream().anyMatch(ns -> principal.contains("/ns/" + ns + "/"));
        }
        throw new AssertionError(p.getMetadata().getName() + ": only principals/namespaces sources are modelled");
      });
      boolean to = rule.getTo() == null || rule.getTo().isEmpty() || rule.getTo().stream().anyMatch(t -> {
        var o = t.getOperation();
        return (empty(o.getPorts()) || o.getPorts().contains(String.valueOf(port)))
            && (empty(o.getMethods()) || o.getMethods().contains(method))
            && (empty(o.getPaths()) || o.getPaths().stream().anyMatch(x -> stringMatch(x, path)))
            && (empty(o.getNotPaths()) || o.getNotPaths().stream().noneMatch(x -> stringMatch(x, path)));
      });
      if (from && to) {
        return true;
      }
    }
    return false;
  }

  private static boolean empty(List<String> l) {
    return l == null || l.isEmpty();
  }

  /** Istio's string match: exact, "*", "prefix*" or "*suffix". */
  static boolean stringMatch(String pattern, String value) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.endsWith("*")) {
      return value.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    if (pattern.startsWith("*")) {
      return value.endsWith(pattern.substring(1));
    }
    return pattern.equals(value);
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector == null || labels.entrySet().containsAll(selector.entrySet());
  }

  static String principal(ClusterModel.Endpoint e) {
    return "cluster.local/ns/" + e.namespace() + "/sa/" + e.serviceAccount();
  }

  static List<String> split(String s) {
    return Arrays.asList(s.split(","));
  }
}
