{{/*
The HTTP-01 solver of both Let's Encrypt ClusterIssuers (dict "root" $ ). cert-manager (v1.19,
pkg/issuer/acme/http/service.go) creates the solver Service as NodePort unless serviceType is set; the
namespaces' ResourceQuota allows no NodePort. podTemplate labels are merged over the solver pod's own
(pod.go mergePodObjectMetaWithPodTemplate): the label keeps Istio's webhook from even selecting it.
NGINX routes the challenge to the solver pod's IP on port 8089; the edge's sidecar lets that port through
(traffic.sidecar.istio.io/excludeOutboundPorts in values/nginx-ingress.yaml), the platform NetworkPolicy
allow-acme-http01-solver admits it.
*/}}
{{- define "platform.http01Solver" -}}
- http01:
    ingress:
      ingressClassName: {{ .root.Values.letsencrypt.ingressClassName }}
      serviceType: ClusterIP
      podTemplate:
        metadata:
          labels:
            sidecar.istio.io/inject: "false"
{{- end }}
