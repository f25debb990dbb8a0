package com.example.common.logging;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The address of the client a request came from, for the access log.
 *
 * <p>Behind Istio every request reaches the application from its own sidecar: Envoy forwards
 * inbound traffic from the source address 127.0.0.6 (::6 for IPv6), see {@code
 * InboundPassthroughBindIpv4} in istio/istio {@code pilot/pkg/networking/util/util.go}. The
 * caller's address is then only in {@code X-Forwarded-For}: F5 NGINX Ingress Controller appends the
 * client it saw ({@code proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for} in
 * nginx/kubernetes-ingress {@code internal/configs/version2/nginx.virtualserver.tmpl}), and neither
 * the edge's outbound sidecar nor this pod's inbound sidecar adds to it: Istio sets Envoy's {@code
 * use_remote_address} only on gateways ({@code buildSidecarInboundHTTPOpts} in {@code
 * pilot/pkg/networking/core/listener_inbound.go}; outbound only with {@code
 * PILOT_SIDECAR_USE_REMOTE_ADDRESS}, default false), and "Envoy will only append to XFF if
 * use_remote_address is set to true" (Envoy docs, configuration/http/http_conn_man/headers,
 * x-forwarded-for). So the right-most entry is the one our edge appended; everything left of it was
 * sent by the client and is never believed.
 *
 * <p>The header is read only when the TCP peer is a trusted proxy (the local sidecar); from any
 * other peer the peer itself is the client, whatever the request claims.
 */
public final class ClientAddress {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private final Set<String> trustedPeers = new HashSet<>();

  /**
   * @param trustedProxies IP literals of the peers whose {@code X-Forwarded-For} is believed
   */
  public ClientAddress(Collection<String> trustedProxies) {
    for (String proxy : trustedProxies) {
      if (!isIpLiteral(proxy)) {
        throw new IllegalArgumentException("trusted proxy '" + proxy + "' is not an IP address");
      }
      trustedPeers.add(proxy);
      trustedPeers.add(canonical(proxy));
    }
  }

  /**
   * @param peer the TCP peer's address
   * @param forwardedFor the request's {@code X-Forwarded-For}, or null
   */
  public String of(String peer, String forwardedFor) {
    if (forwardedFor == null || peer == null || !trustedPeers.contains(unbracketed(peer))) {
      return peer;
    }
    String appendedByEdge = forwardedFor.substring(forwardedFor.lastIndexOf(',') + 1).strip();
    return isIpLiteral(appendedByEdge) ? appendedByEdge : peer;
  }

  /** An IPv4 or IPv6 literal: never a name that {@link InetAddress} would look up. */
  static boolean isIpLiteral(String text) {
    return IPV4.matcher(text).matches() || (text.indexOf(':') >= 0 && IPV6.matcher(text).matches());
  }

  private static String unbracketed(String address) {
    return address.startsWith("[") && address.endsWith("]")
        ? address.substring(1, address.length() - 1)
        : address;
  }

  private static String canonical(String literal) {
    try {
      return InetAddress.getByName(literal).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("trusted proxy '" + literal + "' is not an IP address", e);
    }
  }
}
