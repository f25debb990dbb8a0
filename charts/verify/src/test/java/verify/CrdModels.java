package verify;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Typed models of the custom resources fabric8 has no model for, written from the projects' reference
 * documentation (F5 NGINX Ingress Controller VirtualServer/VirtualServerRoute, Bitnami SealedSecret,
 * External Secrets ExternalSecret v1). They hold the fields the reference lists (not only those the chart
 * uses); read with FAIL_ON_UNKNOWN_PROPERTIES, so a misspelt or invented field fails.
 */
final class CrdModels {
  private CrdModels() {}

  record Metadata(
      String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {}

  // --- F5 NGINX Ingress Controller, k8s.nginx.org/v1 ---
  record VirtualServer(String apiVersion, String kind, Metadata metadata, VirtualServerSpec spec) {}

  record VirtualServerSpec(
      String host,
      String ingressClassName,
      Tls tls,
      List<Upstream> upstreams,
      List<Route> routes,
      Boolean internalRoute,
      String gunzip,
      List<PolicyRef> policies,
      @JsonProperty("server-snippets") String serverSnippets,
      @JsonProperty("http-snippets") String httpSnippets) {}

  record Tls(
      String secret,
      Redirect redirect,
      @JsonProperty("cert-manager") CertManager certManager) {}

  record Redirect(Boolean enable, Integer code, String basedOn) {}

  record CertManager(
      String issuer,
      @JsonProperty("cluster-issuer") String clusterIssuer,
      @JsonProperty("issuer-kind") String issuerKind,
      @JsonProperty("issuer-group") String issuerGroup,
      @JsonProperty("common-name") String commonName,
      String duration,
      @JsonProperty("renew-before") String renewBefore,
      String usages,
      @JsonProperty("issue-temp-cert") Boolean issueTempCert) {}

  record PolicyRef(String name, String namespace) {}

  record Upstream(
      String name,
      String service,
      Integer port,
      @JsonProperty("use-cluster-ip") Boolean useClusterIp,
      @JsonProperty("lb-method") String lbMethod,
      @JsonProperty("connect-timeout") String connectTimeout,
      @JsonProperty("read-timeout") String readTimeout,
      @JsonProperty("send-timeout") String sendTimeout,
      @JsonProperty("next-upstream") String nextUpstream,
      @JsonProperty("next-upstream-tries") Integer nextUpstreamTries,
      @JsonProperty("max-fails") Integer maxFails,
      @JsonProperty("fail-timeout") String failTimeout,
      Integer keepalive) {}

  record Route(
      String path,
      Action action,
      String route,
      List<PolicyRef> policies,
      @JsonProperty("location-snippets") String locationSnippets) {}

  record Action(String pass, Proxy proxy) {}

  record Proxy(String upstream, RequestHeaders requestHeaders, String rewritePath) {}

  record RequestHeaders(Boolean pass, List<Header> set) {}

  record Header(String name, String value) {}

  record VirtualServerRoute(
      String apiVersion, String kind, Metadata metadata, VirtualServerRouteSpec spec) {}

  record VirtualServerRouteSpec(
      String host, String ingressClassName, List<Upstream> upstreams, List<Route> subroutes) {}

  // --- Bitnami Sealed Secrets, bitnami.com/v1alpha1 ---
  record SealedSecret(String apiVersion, String kind, Metadata metadata, SealedSecretSpec spec) {}

  record SealedSecretSpec(Map<String, String> encryptedData, SecretTemplate template) {}

  record SecretTemplate(Metadata metadata, String type, Boolean immutable) {}

  // --- External Secrets Operator, external-secrets.io/v1 ---
  record ExternalSecret(String apiVersion, String kind, Metadata metadata, ExternalSecretSpec spec) {}

  record ExternalSecretSpec(
      String refreshInterval,
      StoreRef secretStoreRef,
      Target target,
      List<Data> data,
      List<Map<String, Object>> dataFrom) {}

  record StoreRef(String kind, String name) {}

  record Target(String name, String creationPolicy, String deletionPolicy, Boolean immutable) {}

  record Data(String secretKey, RemoteRef remoteRef) {}

  record RemoteRef(
      String key,
      String property,
      String version,
      String conversionStrategy,
      String decodingStrategy,
      String metadataPolicy) {}
}
