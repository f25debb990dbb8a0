package verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every values combination the tests render: service x environment x canary weight, secret modes, ingress
 * off, and a tag-only (local) release. Images go by digest, as the pipeline deploys them.
 */
record Matrix(String service, String env, Map<String, String> sets) {

  static final List<String> SERVICES = List.of("greeter", "timezones");
  static final List<String> ENVS = List.of("dev", "prod");
  static final List<Integer> WEIGHTS = List.of(0, 10, 50, 100);
  static final String STABLE_DIGEST = "sha256:" + "1a2b3c4d".repeat(8);
  static final String CANARY_DIGEST = "sha256:" + "5e6f7a8b".repeat(8);

  static Map<String, String> canary(int weight) {
    Map<String, String> s = new LinkedHashMap<>(stableOnly());
    s.put("canary.enabled", "true");
    s.put("canary.image.tag", "5e6f7a8b");
    s.put("canary.image.digest", CANARY_DIGEST);
    s.put("canary.weight", Integer.toString(weight));
    return s;
  }

  static Map<String, String> stableOnly() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("image.tag", "1a2b3c4d");
    s.put("image.digest", STABLE_DIGEST);
    return s;
  }

  /** What a developer renders locally: a tag, no digest (refused in prod). */
  static Map<String, String> tagOnly() {
    return Map.of("image.tag", "1a2b3c4d");
  }

  static List<Matrix> all() {
    List<Matrix> all = new ArrayList<>();
    for (String env : ENVS) {
      for (String service : SERVICES) {
        all.add(new Matrix(service, env, stableOnly()));
        for (int w : WEIGHTS) {
          all.add(new Matrix(service, env, canary(w)));
        }
        Map<String, String> noIngress = new LinkedHashMap<>(stableOnly());
        noIngress.put("ingress.enabled", "false");
        all.add(new Matrix(service, env, noIngress));
        if (env.equals("dev")) {
          all.add(new Matrix(service, env, tagOnly()));
        }
      }
      for (Map<String, String> secret : secretModes()) {
        all.add(new Matrix("greeter", env, secret));
      }
    }
    return all;
  }

  static List<Map<String, String>> secretModes() {
    Map<String, String> plain = new LinkedHashMap<>(stableOnly());
    plain.put("secret.mode", "plain");
    plain.put("secret.plain.DUMMY_API_KEY", "k");
    plain.put("secret.plain.SECRET_MESSAGE", "m");
    Map<String, String> existing = new LinkedHashMap<>(stableOnly());
    existing.put("secret.mode", "existing");
    existing.put("secret.existingName", "greeter-keys");
    Map<String, String> sealed = new LinkedHashMap<>(stableOnly());
    sealed.put("secret.mode", "sealed");
    sealed.put("secret.sealed.encryptedData.DUMMY_API_KEY", "AgBy3i4OJSWK+PiTySYZZA==");
    sealed.put("secret.sealed.encryptedData.SECRET_MESSAGE", "AgCtr8vJ1aB0Zq9XhR2mVw==");
    Map<String, String> external = new LinkedHashMap<>(stableOnly());
    external.put("secret.mode", "external");
    return List.of(plain, existing, sealed, external);
  }

  String render() {
    return Charts.renderService(service, env, sets);
  }

  @Override
  public String toString() {
    return service + "@" + env + " " + sets;
  }
}
