{{/*
One Deployment per track. Called with (dict "root" $ "track" "stable|canary").
deployment.yaml renders the stable track, deployment-canary.yaml the canary.
*/}}
{{- define "jvm-service.deployment" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $track := .track -}}
{{- $canary := eq $track "canary" -}}
{{- $name := include "jvm-service.fullname" $root -}}
{{- $image := dict "image" $v.image "what" "image" "root" $root -}}
{{- if $canary }}{{ $image = dict "image" $v.canary.image "what" "canary.image" "root" $root }}{{ end -}}
{{- $tag := include "jvm-service.version" $image -}}
{{- $provenance := ternary $v.canary.provenance $v.provenance $canary -}}
{{- $trackSelector := include "jvm-service.trackSelectorLabels" (dict "root" $root "track" $track) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ ternary (printf "%s-canary" $name) $name $canary }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "jvm-service.labels" $root | nindent 4 }}
    track: {{ $track }}
    version: {{ $tag | quote }}
  {{- if or $provenance.pipeline $provenance.commit }}
  # Which pipeline deployed this track: scripts/canary compares it before moving traffic.
  annotations:
    {{- with $provenance.pipeline }}
    jvm-service/pipeline: {{ . | quote }}
    {{- end }}
    {{- with $provenance.commit }}
    jvm-service/commit: {{ . | quote }}
    {{- end }}
  {{- end }}
spec:
  {{- /* With an HPA (stable's, or the canary's own) the HPA owns the count. */}}
  {{- if not $v.autoscaling.enabled }}
  {{- if $canary }}
  replicas: {{ include "jvm-service.canaryCapacity" $root | splitList " " | first }}
  {{- else }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- $trackSelector | nindent 6 }}
  template:
    metadata:
      labels:
        {{- $trackSelector | nindent 8 }}
        app: {{ $name }}
        version: {{ $tag | quote }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        checksum/secret: {{ printf "%s%s%s" (include (print $root.Template.BasePath "/secret.yaml") $root) (include (print $root.Template.BasePath "/sealedsecret.yaml") $root) (include (print $root.Template.BasePath "/externalsecret.yaml") $root) | sha256sum }}
        {{- if $v.mesh.enabled }}
        sidecar.istio.io/inject: "true"
        # App metrics are scraped by the ServiceMonitor on http-admin, Envoy's by the PodMonitor on 15090:
        # no merging, so every series is scraped exactly once.
        prometheus.istio.io/merge-metrics: "false"
        proxy.istio.io/config: |
          holdApplicationUntilProxyStarts: true
          terminationDrainDuration: {{ $v.shutdown.sidecarDrainSeconds }}s
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ $name }}
      automountServiceAccountToken: {{ $v.serviceAccount.automountToken }}
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "jvm-service.podSecurityContext" $root | nindent 8 }}
      containers:
        - name: {{ $name }}
          image: {{ include "jvm-service.imageRef" $image | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $v.service.port }}
              protocol: TCP
            - name: http-admin
              containerPort: {{ $v.service.adminPort }}
              protocol: TCP
          env:
            {{- include "jvm-service.env" (dict "root" $root "version" $tag) | nindent 12 }}
          envFrom:
            - configMapRef:
                name: {{ $name }}
          startupProbe:
            httpGet:
              path: /ping
              port: http-admin
            periodSeconds: {{ $v.probes.startup.periodSeconds }}
            failureThreshold: {{ $v.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /ping
              port: http-admin
            periodSeconds: {{ $v.probes.liveness.periodSeconds }}
            failureThreshold: {{ $v.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /ready
              port: http-admin
            periodSeconds: {{ $v.probes.readiness.periodSeconds }}
            failureThreshold: {{ $v.probes.readiness.failureThreshold }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "jvm-service.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
      {{- if and (not $canary) $v.topologySpread.enabled }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- $trackSelector | nindent 14 }}
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- $trackSelector | nindent 14 }}
      {{- end }}
      {{- if ne $v.antiAffinity "none" }}
      affinity:
        podAntiAffinity:
          {{- if eq $v.antiAffinity "hard" }}
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  {{- $trackSelector | nindent 18 }}
          {{- else }}
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- $trackSelector | nindent 20 }}
          {{- end }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
