package verify;

import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Map;

/**
 * Which pods Istio's sidecar injector injects, as the real engine decides, for the configuration this repo
 * installs: the istiod chart with the default revision (istio/values-istiod.yaml sets no `revision`) and
 * sidecarInjectorWebhook.enableNamespacesByDefault=false (the chart default).
 *
 * <p>Step 1, the API server: the MutatingWebhookConfiguration of istio/istio
 * manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml renders, for the default
 * revision, four webhooks (rev.namespace., rev.object., namespace., object.sidecar-injector.istio.io). A pod
 * reaches istiod only when one webhook's namespaceSelector matches the NAMESPACE's labels and its
 * objectSelector matches the POD's labels. Annotations take no part.
 *
 * <p>Step 2, istiod: pkg/kube/inject/inject.go injectRequired(): hostNetwork pods are skipped; the pod label
 * sidecar.istio.io/inject, else the (deprecated) annotation of the same name, "true"/"false" decides;
 * otherwise the policy (values global.proxy.autoInject: enabled) injects.
 */
final class IstioInjection {
  private IstioInjection() {}

  record Webhook(String name, LabelSelector namespaceSelector, LabelSelector objectSelector) {}

  /** The four webhooks of the default revision, transcribed from mutatingwebhook.yaml (Istio 1.30). */
  static final List<Webhook> DEFAULT_REVISION_WEBHOOKS =
      List.of(
          new Webhook(
              "rev.namespace.sidecar-injector.istio.io",
              Selectors.expressions("istio.io/rev In default", "istio-injection DoesNotExist"),
              Selectors.expressions("sidecar.istio.io/inject NotIn false")),
          new Webhook(
              "rev.object.sidecar-injector.istio.io",
              Selectors.expressions("istio.io/rev DoesNotExist", "istio-injection DoesNotExist"),
              Selectors.expressions("sidecar.istio.io/inject NotIn false", "istio.io/rev In default")),
          new Webhook(
              "namespace.sidecar-injector.istio.io",
              Selectors.expressions("istio-injection In enabled"),
              Selectors.expressions("sidecar.istio.io/inject NotIn false")),
          new Webhook(
              "object.sidecar-injector.istio.io",
              Selectors.expressions("istio-injection DoesNotExist", "istio.io/rev DoesNotExist"),
              Selectors.expressions("sidecar.istio.io/inject In true", "istio.io/rev DoesNotExist")));

  /** The webhook that sends this pod to istiod, or null when none does (the pod is never injected). */
  static String selectingWebhook(Map<String, String> namespaceLabels, Map<String, String> podLabels) {
    for (Webhook w : DEFAULT_REVISION_WEBHOOKS) {
      if (Selectors.matches(w.namespaceSelector(), namespaceLabels) && Selectors.matches(w.objectSelector(), podLabels)) {
        return w.name();
      }
    }
    return null;
  }

  /** injectRequired() of pkg/kube/inject/inject.go with policy "enabled" and no never/always selectors. */
  static boolean injectRequired(Map<String, String> podLabels, Map<String, String> podAnnotations, boolean hostNetwork) {
    if (hostNetwork) {
      return false;
    }
    String value = podAnnotations == null ? null : podAnnotations.get("sidecar.istio.io/inject");
    if (podLabels != null && podLabels.containsKey("sidecar.istio.io/inject")) {
      value = podLabels.get("sidecar.istio.io/inject");
    }
    if ("true".equals(value)) {
      return true;
    }
    if ("false".equals(value)) {
      return false;
    }
    return true; // "" or invalid: the default policy, enabled
  }

  static boolean injected(Map<String, String> namespaceLabels, Map<String, String> podLabels, Map<String, String> podAnnotations, boolean hostNetwork) {
    return selectingWebhook(namespaceLabels, podLabels) != null && injectRequired(podLabels, podAnnotations, hostNetwork);
  }
}
