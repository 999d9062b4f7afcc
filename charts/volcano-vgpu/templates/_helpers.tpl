{{/* Chart name, truncated to a DNS label. */}}
{{- define "volcano-vgpu.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified release name. */}}
{{- define "volcano-vgpu.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "volcano-vgpu.sidecar.fullname" -}}
{{- printf "%s-sidecar" (include "volcano-vgpu.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "volcano-vgpu.devicePlugin.fullname" -}}
{{- printf "%s-device-plugin" (include "volcano-vgpu.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels common to every object. */}}
{{- define "volcano-vgpu.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "volcano-vgpu.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component; call with (dict "root" $ "component" "sidecar"). */}}
{{- define "volcano-vgpu.selectorLabels" -}}
app.kubernetes.io/name: {{ include "volcano-vgpu.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "volcano-vgpu.sidecar.serviceAccountName" -}}
{{ include "volcano-vgpu.sidecar.fullname" . }}
{{- end }}

{{- define "volcano-vgpu.devicePlugin.serviceAccountName" -}}
{{ include "volcano-vgpu.devicePlugin.fullname" . }}
{{- end }}

{{/*
An image reference; call with (dict "root" $ "image" .Values.sidecar.image).
registry: global.imageRegistry when set, else the component's; tag: the component's, else global.imageTag, else
appVersion. A global tag never replaces a component tag.
*/}}
{{- define "volcano-vgpu.image" -}}
{{- $registry := .image.registry | default "" }}
{{- if .root.Values.global.imageRegistry }}{{ $registry = .root.Values.global.imageRegistry }}{{ end }}
{{- $tag := .image.tag | default .root.Values.global.imageTag | default .root.Chart.AppVersion | toString }}
{{- if $registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) .image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* Pull policy: global.imagePullPolicy when set, else the component's. */}}
{{- define "volcano-vgpu.pullPolicy" -}}
{{- .root.Values.global.imagePullPolicy | default .image.pullPolicy | default "IfNotPresent" }}
{{- end }}

{{/* The extender URL Volcano calls: the sidecar Service unless scheduler.urlPrefix is set. */}}
{{- define "volcano-vgpu.extenderUrl" -}}
{{- if .Values.scheduler.urlPrefix }}
{{- .Values.scheduler.urlPrefix | trimSuffix "/" }}
{{- else }}
{{- printf "http://%s.%s.svc:%d" (include "volcano-vgpu.sidecar.fullname" .) .Release.Namespace (int .Values.sidecar.ports.http) }}
{{- end }}
{{- end }}

{{/* The Ascend chips the sidecar knows when vnpus.configs is empty (VnpusConfig.defaults, by commonWord). */}}
{{- define "volcano-vgpu.shippedAscendChips" -}}
Ascend910A Ascend910B2 Ascend910B3 Ascend910B4 Ascend910B4-1 Ascend910C Ascend310P
{{- end }}

{{/* The resource names the extender manages (a list), from the device config: every kind's names. */}}
{{- define "volcano-vgpu.managedResources" -}}
{{- $n := .Values.deviceConfig.nvidia }}
{{- $names := list $n.resourceCountName $n.resourceMemoryName }}
{{- if $n.resourceMemoryPercentageName }}{{ $names = append $names $n.resourceMemoryPercentageName }}{{ end }}
{{- $names = append $names $n.resourceCoreName }}
{{- $vnpus := .Values.deviceConfig.vnpus | default dict }}
{{- if $vnpus.configs }}
{{- range $vnpus.configs }}
{{- $names = append $names .resourceName }}
{{- $names = append $names .resourceMemoryName }}
{{- $names = append $names (.resourceCoreName | default (printf "%s-core" .resourceName)) }}
{{- end }}
{{- else }}
{{- range (include "volcano-vgpu.shippedAscendChips" . | splitList " ") }}
{{- $names = append $names (printf "huawei.com/%s" .) }}
{{- $names = append $names (printf "huawei.com/%s-memory" .) }}
{{- $names = append $names (printf "huawei.com/%s-core" .) }}
{{- end }}
{{- end }}
{{- $names = append $names "hami.io/vnpu-core" }}
{{- $names = append $names "hami.io/vnpu-core-memory" }}
{{- $va := .Values.deviceConfig.vastai | default dict }}
{{- if ne (toString $va.enabled) "false" }}
{{- $names = append $names ($va.resourceCountName | default "vastaitech.com/va") }}
{{- end }}
{{- toYaml $names }}
{{- end }}

{{/* volcano-scheduler.conf for Volcano with the extender plugin pointing at the sidecar. */}}
{{- define "volcano-vgpu.schedulerConf" -}}
actions: {{ .Values.scheduler.actions | quote }}
tiers:
- plugins:
  - name: priority
  - name: gang
  - name: conformance
- plugins:
  - name: drf
  - name: predicates
  - name: proportion
  - name: nodeorder
  - name: binpack
  - name: extender
    arguments:
      extender.urlPrefix: {{ include "volcano-vgpu.extenderUrl" . | quote }}
      extender.httpTimeout: {{ .Values.scheduler.httpTimeout | toString | quote }}
      extender.predicateVerb: predicate
      extender.prioritizeVerb: prioritize
      extender.allocateFuncVerb: allocate
      extender.deallocateFuncVerb: deallocate
      extender.preemptableVerb: preemptable
      extender.reclaimableVerb: reclaimable
      extender.ignorable: false
      extender.managedResources:
{{- include "volcano-vgpu.managedResources" . | nindent 6 }}
{{- end }}

{{/* device-config.yaml: nvidia, vnpus (configs only when listed: absent means the shipped chips), vastai */}}
{{- define "volcano-vgpu.deviceConfigYaml" -}}
{{- $vnpus := .Values.deviceConfig.vnpus | default dict }}
{{- $v := dict "hamiVnpuCore" ($vnpus.hamiVnpuCore | default false) }}
{{- if $vnpus.configs }}{{ $_ := set $v "configs" $vnpus.configs }}{{ end }}
{{- toYaml (dict "nvidia" .Values.deviceConfig.nvidia "vnpus" $v "vastai" (.Values.deviceConfig.vastai | default dict)) }}
{{- end }}

{{/* config.json of the node config */}}
{{- define "volcano-vgpu.nodeConfigJson" -}}
{{- toPrettyJson (dict "nodeconfig" (.Values.nodeConfig.configs | default list)) }}
{{- end }}

{{/* The admission webhook's TLS Secret. */}}
{{- define "volcano-vgpu.webhook.secretName" -}}
{{- default (printf "%s-webhook-tls" (include "volcano-vgpu.sidecar.fullname" .)) .Values.admission.certificates.secretName }}
{{- end }}

{{/* The DNS names the webhook certificate is for: the sidecar Service. */}}
{{- define "volcano-vgpu.webhook.dnsNames" -}}
{{- $svc := include "volcano-vgpu.sidecar.fullname" . -}}
{{- list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) | toJson }}
{{- end }}
