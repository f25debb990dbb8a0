{{/* Chart name. */}}
{{- define "jvm-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-wide name: the release name (one release per service) unless overridden. */}}
{{- define "jvm-service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "jvm-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels shared by both tracks (the Service selects stable and canary). */}}
{{- define "jvm-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jvm-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The pods of one track: selectorLabels and track (dict "root" $ "track" "stable|canary"). */}}
{{- define "jvm-service.trackSelectorLabels" -}}
{{ include "jvm-service.selectorLabels" .root }}
track: {{ .track }}
{{- end }}

{{- define "jvm-service.labels" -}}
helm.sh/chart: {{ include "jvm-service.chart" . }}
{{ include "jvm-service.selectorLabels" . }}
app.kubernetes.io/part-of: {{ include "jvm-service.fullname" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app: {{ include "jvm-service.fullname" . }}
{{- end }}

{{/*
Image of a track: dict "image" (.Values.image or .Values.canary.image) "root" $ "what" "image"|"canary.image".
With a digest: repository@sha256:... (what runs can never change under the name); without one,
repository:tag (local use), refused when image.requireDigest is true (values-prod.yaml).
*/}}
{{- define "jvm-service.imageRef" -}}
{{- $v := .root.Values -}}
{{- if .image.digest }}
{{- printf "%s@%s" $v.image.repository .image.digest }}
{{- else if $v.image.requireDigest }}
{{- fail (printf "%s.digest is required here (image.requireDigest): deploy by digest, e.g. scripts/deploy --image REPOSITORY@sha256:..." .what) }}
{{- else }}
{{- printf "%s:%s" $v.image.repository (include "jvm-service.version" .) }}
{{- end }}
{{- end }}

{{/*
Readable version of a track (pod label `version`, APP_VERSION): the tag; with a digest and no tag,
"sha256-" and the digest's first 12 hex digits; neither: the chart's appVersion (stable only).
*/}}
{{- define "jvm-service.version" -}}
{{- $tag := toString (.image.tag | default "") }}
{{- if eq $tag "latest" }}{{ fail (printf "%s.tag must not be latest: pin a version or a commit sha" .what) }}{{ end }}
{{- if $tag }}
{{- $tag }}
{{- else if .image.digest }}
{{- printf "sha256-%s" (.image.digest | trimPrefix "sha256:" | trunc 12) }}
{{- else if eq .what "image" }}
{{- .root.Chart.AppVersion }}
{{- else }}
{{- fail (printf "%s.digest or %s.tag is required when canary.enabled" .what .what) }}
{{- end }}
{{- end }}

{{/*
Canary capacity (docs/chart.md): the traffic share the canary is sized for is max(weight, scaleFor);
it runs ceil(stable replicas x share / 100) pods, at least one. Stable replicas: canary.stableReplicas
(the live count, from scripts/canary), else autoscaling.minReplicas with the HPA, else replicaCount.
Returns "min max": max is the same share of the stable HPA's maximum (min when there is no HPA).
*/}}
{{- define "jvm-service.canaryCapacity" -}}
{{- $v := .Values -}}
{{- $share := max (int $v.canary.weight) (int $v.canary.scaleFor) -}}
{{- $stable := int $v.replicaCount -}}
{{- if $v.autoscaling.enabled }}{{ $stable = int $v.autoscaling.minReplicas }}{{ end -}}
{{- if gt (int $v.canary.stableReplicas) 0 }}{{ $stable = int $v.canary.stableReplicas }}{{ end -}}
{{- $min := max 1 (int (ceil (divf (mul $stable $share) 100))) -}}
{{- $max := $min -}}
{{- if $v.autoscaling.enabled }}{{ $max = max $min (int (ceil (divf (mul (int $v.autoscaling.maxReplicas) $share) 100))) }}{{ end -}}
{{- printf "%d %d" $min $max -}}
{{- end }}

{{/* Name of the Secret holding the secretEnv keys ("" when secretEnv is empty). */}}
{{- define "jvm-service.secretName" -}}
{{- if .Values.secretEnv }}
{{- if eq .Values.secret.mode "existing" }}
{{- required "secret.existingName is required when secret.mode=existing" .Values.secret.existingName }}
{{- else }}
{{- include "jvm-service.fullname" . }}
{{- end }}
{{- end }}
{{- end }}

{{/* Cluster-local FQDN of this release's Service (the Host the sidecars route on). */}}
{{- define "jvm-service.fqdn" -}}
{{- printf "%s.%s.svc.cluster.local" (include "jvm-service.fullname" .) .Release.Namespace }}
{{- end }}

{{/* SPIFFE principal of a service account: dict "ns" "sa". */}}
{{- define "jvm-service.principal" -}}
{{- printf "cluster.local/ns/%s/sa/%s" .ns .sa }}
{{- end }}

{{/*
Weighted stable/canary destinations (dict "host" "weight"); a 0 or 100 weight keeps one destination.
Each destination tags its responses `x-track: stable|canary` (Istio HTTPRouteDestination.headers), so
a client at the edge (scripts/smoke-test) can count which track served it.
*/}}
{{- define "jvm-service.weightedRoute" -}}
{{- if lt (int .weight) 100 }}
{{ include "jvm-service.destination" (dict "host" .host "subset" "stable" "weight" (sub 100 (int .weight))) }}
{{- end }}
{{- if gt (int .weight) 0 }}
{{ include "jvm-service.destination" (dict "host" .host "subset" "canary" "weight" .weight) }}
{{- end }}
{{- end }}

{{/* One route destination (dict "host" "subset" "weight") with its x-track response header. */}}
{{- define "jvm-service.destination" -}}
- destination:
    host: {{ .host }}
    subset: {{ .subset }}
  weight: {{ .weight }}
  headers:
    response:
      set:
        x-track: {{ .subset }}
{{- end }}

{{/*
Pod-level securityContext of every pod the chart runs (Pod Security "restricted"): the app's image
user 10001, never root, the runtime's default seccomp profile.
*/}}
{{- define "jvm-service.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level securityContext: the pod's identity, a read-only root, no privilege, no capability. */}}
{{- define "jvm-service.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
The container's env (dict "root" $ "version" tag): the chart's own variables (ports, version, shutdown,
JVM options), then the service's (values-<service>.yaml): `env` as a map (NAME: value, in name order)
or a list of EnvVar objects, then one secretKeyRef per secretEnv name. `config` reaches the pod by
envFrom. A name set twice fails the render: Kubernetes keeps the last env entry, and env wins over
envFrom without a word.
*/}}
{{- define "jvm-service.env" -}}
{{- $v := .root.Values -}}
{{- $entries := list
  (dict "name" "HTTP_PORT" "value" (toString $v.service.port))
  (dict "name" "ADMIN_PORT" "value" (toString $v.service.adminPort))
  (dict "name" "APP_VERSION" "value" .version)
  (dict "name" "SHUTDOWN_WAIT_PERIOD" "value" (printf "%ds" (int $v.shutdown.waitPeriodSeconds)))
  (dict "name" "SHUTDOWN_GRACE_PERIOD" "value" (printf "%ds" (int $v.shutdown.gracePeriodSeconds)))
  (dict "name" "JAVA_TOOL_OPTIONS" "value" $v.javaToolOptions) -}}
{{- if kindIs "map" $v.env }}
{{- range $name, $value := $v.env }}
{{- $entries = append $entries (dict "name" $name "value" (toString $value)) }}
{{- end }}
{{- else }}
{{- $entries = concat $entries $v.env }}
{{- end }}
{{- $secretName := include "jvm-service.secretName" .root }}
{{- range $v.secretEnv }}
{{- $entries = append $entries (dict "name" . "valueFrom" (dict "secretKeyRef" (dict "name" $secretName "key" .))) }}
{{- end }}
{{- $seen := dict }}
{{- range $name, $_ := $v.config }}{{ $_ := set $seen $name "config" }}{{ end }}
{{- range $entries }}
{{- $name := .name }}
{{- with get $seen $name }}{{ fail (printf "environment variable %s is set twice (%s, and env, secretEnv or the chart's own)" $name .) }}{{ end }}
{{- $_ := set $seen $name "env" }}
{{- end }}
{{- toYaml $entries }}
{{- end }}
