{{/* Chart name, overridable. */}}
{{- define "switchyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object name prefix: fullnameOverride, else release name (plus chart name if absent). */}}
{{- define "switchyard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "switchyard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: {{ include "switchyard.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels of one component's objects and pods: the common labels plus the component. */}}
{{- define "switchyard.componentLabels" -}}
{{ include "switchyard.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "node"). */}}
{{- define "switchyard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The switchyard image (nodes and balancer). */}}
{{- define "switchyard.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Node StatefulSet name; pods are <this>-N. */}}
{{- define "switchyard.nodeName" -}}
{{- printf "%s-node" (include "switchyard.fullname" .) -}}
{{- end -}}

{{/* Headless Service of the nodes. */}}
{{- define "switchyard.headlessName" -}}
{{- printf "%s-node-headless" (include "switchyard.fullname" .) -}}
{{- end -}}

{{/* Number of node ordinals the balancer lists. */}}
{{- define "switchyard.nodeOrdinals" -}}
{{- if .Values.node.autoscaling.enabled -}}
{{- .Values.node.autoscaling.maxReplicas -}}
{{- else -}}
{{- .Values.node.replicas -}}
{{- end -}}
{{- end -}}

{{/* Bus URL: backend.url, else the in-chart dev-grade server. */}}
{{- define "switchyard.busUrl" -}}
{{- if .Values.backend.url -}}
{{- .Values.backend.url -}}
{{- else if eq .Values.backend.type "redis" -}}
{{- printf "redis://%s-redis:6379" (include "switchyard.fullname" .) -}}
{{- else if eq .Values.backend.type "nats" -}}
{{- printf "nats://%s-nats:4222" (include "switchyard.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Pod security context shared by every workload; call with the uid. */}}
{{- define "switchyard.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container security context shared by every container. */}}
{{- define "switchyard.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* Checks of values that would render a broken release. */}}
{{- define "switchyard.validate" -}}
{{- if not (has .Values.backend.type (list "redis" "nats" "none")) -}}
{{- fail "backend.type must be redis, nats or none" -}}
{{- end -}}
{{- if not (has .Values.routing (list "balancer" "gateway" "gateway-sid")) -}}
{{- fail "routing must be balancer, gateway or gateway-sid" -}}
{{- end -}}
{{- if and (eq .Values.routing "gateway-sid") (ne (len .Values.gateway.sidTags) (int (include "switchyard.nodeOrdinals" .))) -}}
{{- fail "routing=gateway-sid needs one gateway.sidTags entry per node ordinal: switchyard-balancer --print helm-values --upstream <release>-switchyard-node-N=http://x:1 ..." -}}
{{- end -}}
{{- if and (eq .Values.gateway.cookieLifetimeType "Permanent") (not .Values.gateway.absoluteTimeout) -}}
{{- fail "gateway.absoluteTimeout is required when gateway.cookieLifetimeType is Permanent" -}}
{{- end -}}
{{- $hops := .Values.node.trustForwardedFor -}}
{{- if or (not (regexMatch "^[0-9]+$" (toString $hops))) (gt (int $hops) 32) -}}
{{- fail "node.trustForwardedFor must be an integer from 0 to 32" -}}
{{- end -}}
{{- if and .Values.balancer.trustForwardedFor (eq .Values.routing "balancer") (lt (int $hops) 2) -}}
{{- fail "balancer.trustForwardedFor needs node.trustForwardedFor >= 2 (the proxy in front of the balancer, then the balancer)" -}}
{{- end -}}
{{- $ping := div (add .Values.node.pingIntervalMs .Values.node.pingTimeoutMs) 1000 -}}
{{- if le (int .Values.node.terminationGracePeriodSeconds) (int $ping) -}}
{{- fail "node.terminationGracePeriodSeconds must exceed (pingIntervalMs + pingTimeoutMs) / 1000" -}}
{{- end -}}
{{- $stop := add .Values.node.preStopSleepSeconds (div .Values.node.shutdownTimeoutMs 1000) 1 -}}
{{- if lt (int .Values.node.terminationGracePeriodSeconds) (int $stop) -}}
{{- fail "node.terminationGracePeriodSeconds must be >= preStopSleepSeconds + shutdownTimeoutMs / 1000 + 1" -}}
{{- end -}}
{{- end -}}
