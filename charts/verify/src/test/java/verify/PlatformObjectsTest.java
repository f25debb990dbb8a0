package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.certmanager.api.model.v1.Certificate;
import io.fabric8.certmanager.api.model.v1.ClusterIssuer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The platform objects other parts depend on, read strictly into their models and checked against what the
 * other side uses: the secret store values-prod.yaml names, the signature policy against the image references
 * the service chart renders for prod, the local CA issuer scripts/local-cluster deploys with.
 */
class PlatformObjectsTest {

  static List<Object> platform(String... kv) {
    TemplateCommand t = new Helm(Charts.PLATFORM_CHART).template().withName("platform").withNamespace("default")
        .withKubeVersion(Charts.KUBE_VERSION);
    for (int i = 0; i < kv.length; i += 2) {
      t.set(kv[i], kv[i + 1]);
    }
    return Charts.parseAll(t.call());
  }

  static <T> List<T> named(List<Object> objects, Class<T> type, String name) {
    return Charts.ofType(objects, type).stream().filter(o -> {
      try {
        Object meta = type.getMethod("metadata").invoke(o);
        return ((CrdModels.Metadata) meta).name().equals(name);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  @Test
  void theStoreProdValuesNameIsExactlyOneThePlatformRenders() {
    var external = Charts.ofType(Charts.parseAll(Charts.renderService("greeter", "prod", Matrix.stableOnly())), CrdModels.ExternalSecret.class);
    assertThat(external).as("prod reads its secret from a store").hasSize(1);
    CrdModels.StoreRef ref = external.get(0).spec().secretStoreRef();
    assertThat(ref.kind()).isEqualTo("ClusterSecretStore");
    List<PlatformCrdModels.ClusterSecretStore> stores = named(Charts.parseAll(Charts.renderPlatform()), PlatformCrdModels.ClusterSecretStore.class, ref.name());
    assertThat(stores).as("ClusterSecretStore/%s rendered by charts/platform", ref.name()).hasSize(1);
    var store = stores.get(0).spec();
    assertThat(store.conditions()).singleElement().satisfies(c -> assertThat(c.namespaces()).contains("prod", "dev"));
    var vault = store.provider().vault();
    assertThat(vault).as("Vault by default").isNotNull();
    assertThat(store.provider().aws()).isNull();
    assertThat(vault.server()).startsWith("https://");
    assertThat(vault.version()).isEqualTo("v2");
    var k8s = vault.auth().kubernetes();
    assertThat(k8s.role()).isNotBlank();
    assertThat(k8s.mountPath()).isNotBlank();
    assertThat(k8s.serviceAccountRef().name()).isEqualTo("external-secrets");
    assertThat(k8s.serviceAccountRef().namespace()).isEqualTo("external-secrets");
    assertThat(k8s.secretRef()).as("no static token").isNull();
  }

  @Test
  void awsSecretsManagerIsTheDocumentedAlternative() {
    var store = named(platform("secretStore.provider", "aws", "secretStore.aws.region", "eu-central-1"),
        PlatformCrdModels.ClusterSecretStore.class, "vault-backend").get(0).spec().provider();
    assertThat(store.vault()).isNull();
    assertThat(store.aws().service()).isEqualTo("SecretsManager");
    assertThat(store.aws().region()).isEqualTo("eu-central-1");
    assertThat(store.aws().auth().jwt().serviceAccountRef().name()).isEqualTo("external-secrets");
    assertThatThrownBy(() -> platform("secretStore.provider", "gcp")).hasMessageContaining("provider");
  }

  /** Kyverno's image matching (ext/wildcard): `*` any run of characters, `?` one character. */
  static boolean kyvernoMatch(String pattern, String image) {
    StringBuilder re = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return image.matches(re.toString());
  }

  @Test
  void signatureAdmissionEnforcesInProdAndWarnsInDevOnThisProjectsImages() {
    var values = Charts.readYamlFile(Charts.PLATFORM_CHART.resolve("values.yaml")).path("signatureAdmission");
    String repository = values.path("imageRepository").asText();
    List<PlatformCrdModels.ClusterPolicy> policies = Charts.ofType(Charts.parseAll(Charts.renderPlatform()), PlatformCrdModels.ClusterPolicy.class);
    assertThat(policies).hasSize(1);
    var spec = policies.get(0).spec();
    assertThat(spec.background()).as("admission only: nothing to verify in the background").isFalse();
    Map<String, PlatformCrdModels.Rule> byAction = new LinkedHashMap<>();
    for (var rule : spec.rules()) {
      assertThat(rule.verifyImages()).singleElement().satisfies(v -> {
        assertThat(v.required()).isTrue();
        assertThat(v.verifyDigest()).isTrue();
        assertThat(v.mutateDigest()).isTrue();
        byAction.put(v.failureAction(), rule);
      });
    }
    assertThat(byAction).containsOnlyKeys("Enforce", "Audit");
    assertThat(byAction.get("Enforce").match().any()).singleElement()
        .satisfies(f -> assertThat(f.resources().namespaces()).containsExactly("prod"));
    assertThat(byAction.get("Audit").match().any()).singleElement()
        .satisfies(f -> assertThat(f.resources().namespaces()).containsExactly("dev"));

    // What the service chart renders for prod with the repository the pipeline sets ($CI_REGISTRY_IMAGE/<service>).
    for (String service : Matrix.SERVICES) {
      Map<String, String> sets = new LinkedHashMap<>(Matrix.canary(10));
      sets.put("image.repository", repository + "/" + service);
      for (Deployment d : Charts.ofType(Charts.parseAll(Charts.renderService(service, "prod", sets)), Deployment.class)) {
        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        for (var rule : byAction.values()) {
          assertThat(rule.verifyImages().get(0).imageReferences()).as("%s is checked", image).anyMatch(p -> kyvernoMatch(p, image));
        }
      }
    }
    var enforce = byAction.get("Enforce").verifyImages().get(0);
    assertThat(enforce.imageReferences()).as("digest references too")
        .anyMatch(p -> kyvernoMatch(p, repository + "/greeter@sha256:" + "a".repeat(64)));
    assertThat(enforce.imageReferences()).as("only this project's path")
        .noneMatch(p -> kyvernoMatch(p, "registry.gitlab.com/other-group/greeter-platform/greeter:1"))
        .noneMatch(p -> kyvernoMatch(p, "docker.io/istio/proxyv2:1.30.5"));
    // The keyless identity is the one the pipeline's cosign gets: this project's .gitlab-ci.yml on main.
    var keyless = enforce.attestors().get(0).entries().get(0).keyless();
    String projectPath = repository.substring(repository.indexOf('/') + 1);
    assertThat(keyless.issuer()).isEqualTo("https://gitlab.com");
    assertThat(keyless.subject()).isEqualTo("https://gitlab.com/" + projectPath + "//.gitlab-ci.yml@refs/heads/main");
    assertThat(keyless.rekor().url()).startsWith("https://");
  }

  @Test
  void aPublicKeyIsTheOtherIdentityAndIsRequiredInThatMode() {
    String pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
    var policy = Charts.ofType(platform("signatureAdmission.mode", "key", "signatureAdmission.publicKey", pem), PlatformCrdModels.ClusterPolicy.class).get(0);
    for (var rule : policy.spec().rules()) {
      var entry = rule.verifyImages().get(0).attestors().get(0).entries().get(0);
      assertThat(entry.keyless()).isNull();
      assertThat(entry.keys().publicKeys()).isEqualTo(pem);
    }
    assertThatThrownBy(() -> platform("signatureAdmission.mode", "key")).hasMessageContaining("publicKey is required");
  }

  @Test
  void theKyvernoChartIsPinnedWithItsSource() throws IOException {
    String pins = Files.readString(Path.of("scripts/versions.env"));
    assertThat(pins).containsPattern("(?m)^KYVERNO_VERSION=\\d+\\.\\d+\\.\\d+$").containsPattern("(?m)^KYVERNO_REPO=https://");
    assertThat(Files.readString(Path.of("scripts/bootstrap-cluster"))).contains("$KYVERNO_VERSION");
  }

  @Test
  void theLocalCaIssuerSignsWithASelfSignedRootInCertManagersNamespace() {
    assertThat(named(Charts.parseAll(Charts.renderPlatform()), CrdModels.VirtualServer.class, "x")).isEmpty();
    assertThat(Charts.ofType(Charts.parseAll(Charts.renderPlatform()), ClusterIssuer.class))
        .extracting(i -> i.getMetadata().getName()).doesNotContain("local-ca");
    List<Object> objects = platform("localCA.enabled", "true");
    ClusterIssuer ca = Charts.named(objects, ClusterIssuer.class, "local-ca");
    Certificate root = Charts.named(objects, Certificate.class, "local-ca-root");
    assertThat(root.getMetadata().getNamespace()).isEqualTo("cert-manager");
    assertThat(root.getSpec().getIsCA()).isTrue();
    assertThat(ca.getSpec().getCa().getSecretName()).isEqualTo(root.getSpec().getSecretName());
    ClusterIssuer selfSigned = Charts.named(objects, ClusterIssuer.class, root.getSpec().getIssuerRef().getName());
    assertThat(selfSigned.getSpec().getSelfSigned()).isNotNull();
    assertThat(root.getSpec().getIssuerRef().getKind()).isEqualTo("ClusterIssuer");
  }
}
