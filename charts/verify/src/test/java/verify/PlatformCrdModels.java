package verify;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Typed models of the platform's custom resources that fabric8 has no model for, written from the projects'
 * API types (read with FAIL_ON_UNKNOWN_PROPERTIES, so a misspelt or invented field fails):
 * External Secrets Operator external-secrets.io/v1 ClusterSecretStore (apis/externalsecrets/v1
 * secretstore_types.go, secretstore_vault_types.go, secretstore_aws_types.go) and Kyverno kyverno.io/v1
 * ClusterPolicy (api/kyverno/v1 spec_types.go, rule_types.go, image_verification_types.go, v1.18).
 * Sub-objects the platform never renders stay untyped maps.
 */
final class PlatformCrdModels {
  private PlatformCrdModels() {}

  // --- External Secrets Operator, external-secrets.io/v1 ---
  record ClusterSecretStore(String apiVersion, String kind, CrdModels.Metadata metadata, SecretStoreSpec spec) {}

  record SecretStoreSpec(
      String controller,
      Provider provider,
      Map<String, Object> retrySettings,
      String refreshInterval,
      List<StoreCondition> conditions) {}

  record StoreCondition(Map<String, Object> namespaceSelector, List<String> namespaces, List<String> namespaceRegexes) {}

  record Provider(VaultProvider vault, AwsProvider aws) {}

  record VaultProvider(
      VaultAuth auth,
      String server,
      String path,
      String version,
      String namespace,
      String caBundle,
      Map<String, Object> tls,
      Map<String, Object> caProvider,
      Boolean readYourWrites,
      Boolean forwardInconsistent,
      Map<String, String> headers,
      Map<String, Object> checkAndSet) {}

  record VaultAuth(
      String namespace,
      Map<String, Object> tokenSecretRef,
      Map<String, Object> appRole,
      VaultKubernetesAuth kubernetes,
      Map<String, Object> ldap,
      Map<String, Object> jwt,
      Map<String, Object> cert,
      Map<String, Object> iam,
      Map<String, Object> userPass,
      Map<String, Object> gcp) {}

  record VaultKubernetesAuth(String mountPath, ServiceAccountSelector serviceAccountRef, Map<String, Object> secretRef, String role) {}

  record ServiceAccountSelector(String name, String namespace, List<String> audiences) {}

  record AwsProvider(
      String service,
      AwsAuth auth,
      String role,
      String region,
      List<String> additionalRoles,
      String externalID,
      List<Map<String, String>> sessionTags,
      Map<String, Object> secretsManager,
      List<String> transitiveTagKeys,
      String prefix) {}

  record AwsAuth(Map<String, Object> secretRef, AwsJwtAuth jwt) {}

  record AwsJwtAuth(ServiceAccountSelector serviceAccountRef) {}

  // --- Kyverno, kyverno.io/v1 ---
  record ClusterPolicy(String apiVersion, String kind, CrdModels.Metadata metadata, PolicySpec spec) {}

  record PolicySpec(
      List<Rule> rules,
      String applyRules,
      String failurePolicy,
      String validationFailureAction,
      List<Map<String, Object>> validationFailureActionOverrides,
      Boolean emitWarning,
      Boolean admission,
      Boolean background,
      Boolean schemaValidation,
      Integer webhookTimeoutSeconds,
      Boolean mutateExistingOnPolicyUpdate,
      Boolean generateExistingOnPolicyUpdate,
      Boolean generateExisting,
      Boolean useServerSideApply,
      Map<String, Object> webhookConfiguration) {}

  record Rule(
      String name,
      List<Map<String, Object>> context,
      Map<String, String> reportProperties,
      MatchResources match,
      MatchResources exclude,
      Map<String, Object> imageExtractors,
      Object preconditions,
      List<Map<String, Object>> celPreconditions,
      Map<String, Object> mutate,
      Map<String, Object> validate,
      Map<String, Object> generate,
      List<ImageVerification> verifyImages,
      Boolean skipBackgroundRequests) {}

  record MatchResources(List<ResourceFilter> any, List<ResourceFilter> all) {}

  record ResourceFilter(
      List<Map<String, Object>> subjects,
      List<String> roles,
      List<String> clusterRoles,
      ResourceDescription resources) {}

  record ResourceDescription(
      List<String> kinds,
      String name,
      List<String> names,
      List<String> namespaces,
      Map<String, String> annotations,
      Map<String, Object> selector,
      Map<String, Object> namespaceSelector,
      List<String> operations) {}

  record ImageVerification(
      String failureAction,
      String type,
      String image,
      List<String> imageReferences,
      List<String> skipImageReferences,
      String key,
      String roots,
      String subject,
      String issuer,
      Map<String, String> additionalExtensions,
      List<AttestorSet> attestors,
      List<Map<String, Object>> attestations,
      Map<String, String> annotations,
      String repository,
      Boolean cosignOCI11,
      Boolean mutateDigest,
      Boolean verifyDigest,
      Map<String, Object> validate,
      Boolean required,
      Map<String, Object> imageRegistryCredentials,
      Boolean useCache) {}

  record AttestorSet(Integer count, List<Attestor> entries) {}

  record Attestor(
      StaticKeyAttestor keys,
      Map<String, Object> certificates,
      KeylessAttestor keyless,
      Object attestor,
      Map<String, String> annotations,
      String repository,
      String signatureAlgorithm) {}

  record StaticKeyAttestor(
      String publicKeys, String signatureAlgorithm, String kms, Map<String, String> secret, Rekor rekor, Map<String, Object> ctlog) {}

  record KeylessAttestor(
      Rekor rekor,
      Map<String, Object> ctlog,
      String issuer,
      String issuerRegExp,
      String subject,
      String subjectRegExp,
      String roots,
      Map<String, String> additionalExtensions) {}

  record Rekor(String url, @JsonProperty("pubkey") String pubKey, Boolean ignoreTlog) {}
}
