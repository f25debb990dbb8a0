{{/* Chart name. */}}
{{- define "jvm-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-wide name: the release name (greeter, timezones) unless overridden. */}}
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

{{- define "jvm-service.labels" -}}
helm.sh/chart: {{ include "jvm-service.chart" . }}
{{ include "jvm-service.selectorLabels" . }}
app.kubernetes.io/part-of: {{ include "jvm-service.fullname" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app: {{ include "jvm-service.fullname" . }}
{{- end }}

{{/* The stable image tag: image.tag or the chart's appVersion; "latest" is refused. */}}
{{- define "jvm-service.stableTag" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag | toString }}
{{- if eq $tag "latest" }}{{ fail "image.tag must not be latest: pin a version or a commit sha" }}{{ end }}
{{- $tag }}
{{- end }}

{{- define "jvm-service.canaryTag" -}}
{{- $tag := required "canary.image.tag is required when canary.enabled" .Values.canary.image.tag | toString }}
{{- if eq $tag "latest" }}{{ fail "canary.image.tag must not be latest" }}{{ end }}
{{- $tag }}
{{- end }}

{{/* Name of the Secret holding DUMMY_API_KEY / SECRET_MESSAGE ("" when secret.enabled is false). */}}
{{- define "jvm-service.secretName" -}}
{{- if .Values.secret.enabled }}
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

{{/* Weighted stable/canary destinations (dict "host" "weight"); a 0 or 100 weight keeps one destination. */}}
{{- define "jvm-service.weightedRoute" -}}
{{- if lt (int .weight) 100 }}
- destination:
    host: {{ .host }}
    subset: stable
  weight: {{ sub 100 (int .weight) }}
{{- end }}
{{- if gt (int .weight) 0 }}
- destination:
    host: {{ .host }}
    subset: canary
  weight: {{ .weight }}
{{- end }}
{{- end }}
