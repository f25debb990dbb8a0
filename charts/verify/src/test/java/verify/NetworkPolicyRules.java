package verify;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Kubernetes NetworkPolicy semantics (kubernetes.io/docs/concepts/services-networking/network-policies/):
 * a pod is isolated for ingress (egress) when any policy in its namespace selects it with that policy type;
 * policies are additive (a connection is allowed when ANY selecting policy allows it); a connection needs
 * both the source's egress and the destination's ingress to allow it; traffic to and from the node where a
 * pod runs is always allowed; a rule without `ports` allows every port, without `from`/`to` every peer;
 * a peer with podSelector only means pods of the policy's namespace, with namespaceSelector only every pod
 * of the matching namespaces, with both the matching pods of the matching namespaces. policyTypes defaults to
 * Ingress, plus Egress when the policy has egress rules. Pod IPs are not modelled, so an ipBlock matches only
 * the fixed addresses of the model (the node-local DNS cache).
 */
final class NetworkPolicyRules {
  private NetworkPolicyRules() {}

  static boolean allowed(List<NetworkPolicy> policies, Function<String, Map<String, String>> nsLabels,
      ClusterModel.Endpoint src, ClusterModel.Endpoint dst, int port, String protocol) {
    return egressAllowed(policies, nsLabels, src, dst, port, protocol) && ingressAllowed(policies, nsLabels, src, dst, port, protocol);
  }

  static boolean egressAllowed(List<NetworkPolicy> policies, Function<String, Map<String, String>> nsLabels,
      ClusterModel.Endpoint src, ClusterModel.Endpoint dst, int port, String protocol) {
    if (!src.isPod() || dst.node()) {
      return true;
    }
    List<NetworkPolicy> selecting = selecting(policies, src, "Egress");
    if (selecting.isEmpty()) {
      return true;
    }
    for (NetworkPolicy p : selecting) {
      for (var rule : p.getSpec().getEgress() == null ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of() : p.getSpec().getEgress()) {
        if (peersMatch(rule.getTo(), p.getMetadata().getNamespace(), nsLabels, dst) && portsMatch(rule.getPorts(), dst, port, protocol)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean ingressAllowed(List<NetworkPolicy> policies, Function<String, Map<String, String>> nsLabels,
      ClusterModel.Endpoint src, ClusterModel.Endpoint dst, int port, String protocol) {
    if (!dst.isPod() || src.node()) {
      return true;
    }
    List<NetworkPolicy> selecting = selecting(policies, dst, "Ingress");
    if (selecting.isEmpty()) {
      return true;
    }
    for (NetworkPolicy p : selecting) {
      for (var rule : p.getSpec().getIngress() == null ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of() : p.getSpec().getIngress()) {
        if (peersMatch(rule.getFrom(), p.getMetadata().getNamespace(), nsLabels, src) && portsMatch(rule.getPorts(), dst, port, protocol)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<NetworkPolicy> selecting(List<NetworkPolicy> policies, ClusterModel.Endpoint pod, String type) {
    return policies.stream()
        .filter(p -> p.getMetadata().getNamespace().equals(pod.namespace()))
        .filter(p -> Selectors.matches(p.getSpec().getPodSelector(), pod.labels()))
        .filter(p -> types(p).contains(type))
        .toList();
  }

  private static List<String> types(NetworkPolicy p) {
    if (p.getSpec().getPolicyTypes() != null && !p.getSpec().getPolicyTypes().isEmpty()) {
      return p.getSpec().getPolicyTypes();
    }
    return p.getSpec().getEgress() != null && !p.getSpec().getEgress().isEmpty() ? List.of("Ingress", "Egress") : List.of("Ingress");
  }

  private static boolean peersMatch(List<NetworkPolicyPeer> peers, String policyNamespace,
      Function<String, Map<String, String>> nsLabels, ClusterModel.Endpoint other) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        if (other.ip() != null && inCidr(other.ip(), peer.getIpBlock().getCidr())
            && (peer.getIpBlock().getExcept() == null || peer.getIpBlock().getExcept().stream().noneMatch(x -> inCidr(other.ip(), x)))) {
          return true;
        }
        continue;
      }
      if (!other.isPod()) {
        continue;
      }
      boolean namespaceOk = peer.getNamespaceSelector() == null
          ? other.namespace().equals(policyNamespace)
          : Selectors.matches(peer.getNamespaceSelector(), nsLabels.apply(other.namespace()));
      boolean podOk = peer.getPodSelector() == null || Selectors.matches(peer.getPodSelector(), other.labels());
      if (namespaceOk && podOk) {
        return true;
      }
    }
    return false;
  }

  private static boolean portsMatch(List<NetworkPolicyPort> ports, ClusterModel.Endpoint dst, int port, String protocol) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      if (!proto.equals(protocol)) {
        continue;
      }
      if (p.getPort() == null) {
        return true;
      }
      Integer first = p.getPort().getIntVal() != null ? p.getPort().getIntVal() : dst.namedPorts().get(p.getPort().getStrVal());
      if (first == null) {
        continue;
      }
      int last = p.getEndPort() != null ? p.getEndPort() : first;
      if (port >= first && port <= last) {
        return true;
      }
    }
    return false;
  }

  static boolean inCidr(String ip, String cidr) {
    try {
      String[] parts = cidr.split("/");
      byte[] a = InetAddress.getByName(ip).getAddress();
      byte[] n = InetAddress.getByName(parts[0]).getAddress();
      if (a.length != n.length) {
        return false;
      }
      int bits = Integer.parseInt(parts[1]);
      BigInteger mask = BigInteger.ONE.shiftLeft(a.length * 8).subtract(BigInteger.ONE).shiftRight(bits).not();
      return new BigInteger(1, a).and(mask).equals(new BigInteger(1, n).and(mask));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(cidr, e);
    }
  }
}
