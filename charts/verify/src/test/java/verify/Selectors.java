package verify;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes label selector semantics, as the API server applies them to webhook namespace/object selectors
 * and NetworkPolicy pod/namespace selectors (k8s.io/apimachinery/pkg/apis/meta/v1 LabelSelectorAsSelector):
 * matchLabels and every matchExpression must hold; an empty selector matches everything; a null selector is
 * the caller's decision (for webhooks: match all; for NetworkPolicy peers: "not set").
 */
final class Selectors {
  private Selectors() {}

  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (var e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(l.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!requirement(r.getKey(), r.getOperator(), r.getValues(), l)) {
          return false;
        }
      }
    }
    return true;
  }

  static boolean requirement(String key, String operator, List<String> values, Map<String, String> labels) {
    boolean has = labels.containsKey(key);
    return switch (operator) {
      case "In" -> has && values.contains(labels.get(key));
      // NotIn also matches when the key is absent (apimachinery labels.Requirement.Matches).
      case "NotIn" -> !has || !values.contains(labels.get(key));
      case "Exists" -> has;
      case "DoesNotExist" -> !has;
      default -> throw new IllegalArgumentException("unknown selector operator " + operator);
    };
  }

  static LabelSelector expressions(String... keyOpValues) {
    var b = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder();
    for (String s : keyOpValues) {
      String[] p = s.split(" ", 3);
      b.addNewMatchExpression()
          .withKey(p[0])
          .withOperator(p[1])
          .withValues(p.length > 2 ? List.of(p[2].split(",")) : List.of())
          .endMatchExpression();
    }
    return b.build();
  }
}
