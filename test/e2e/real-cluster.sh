#!/usr/bin/env bash
# End-to-end check on a REAL cluster (run by hand; never run by CI or `mvn verify`).
#
# What you need:
#   - kubectl pointing at a cluster (kind or any other) with Volcano installed (vc-scheduler, vc-controller-manager,
#     CRDs batch.volcano.sh/v1alpha1 Job and scheduling.volcano.sh/v1beta1 Queue), Volcano >= 1.13;
#   - this project's chart installed beside it (charts/volcano-vgpu; see README "Deploy beside Volcano"), with
#     vc-scheduler's configuration using the `extender` plugin it renders, and deviceshare.VGPUEnable OFF;
#   - at least one GPU node running the device plugin DaemonSet: real NVIDIA GPUs, or an nvml-mock node
#     (a node whose device plugin runs with --fake-gpus, which registers the same annotations and resources; there
#     the probe step is skipped unless the container image has libvgpu's stub driver).
#
# What it does (each step prints PASS/FAIL; exit code = number of failures):
#   1. the vGPU resources are advertised on some node (allocatable volcano.sh/vgpu-number > 0);
#   2. creates queue e2e-vgpu (capability volcano.sh/vgpu-memory) and a 2-task gang vcjob asking 1 card x MEM MiB;
#   3. waits until both pods run; checks the sidecar's annotations (volcano.sh/vgpu-node = the node the pod runs
#      on, volcano.sh/vgpu-ids-new present, volcano.sh/bind-phase=success);
#   4. in each pod: CUDA_DEVICE_MEMORY_LIMIT_0 = MEM "m"; with a GPU (nvidia-smi present) the memory total seen
#      through libvgpu equals MEM;
#   5. a vcjob that cannot fit (minAvailable 2, each task more than a card) stays Pending with no pod bound;
#   6. deletes what it created (KEEP=1 keeps it).
#
# Usage: test/e2e/real-cluster.sh [--namespace NS] [--memory MIB] [--image IMAGE]
#   IMAGE must have a shell and sleep (default nvidia/cuda:12.4.1-base-ubuntu22.04, which has nvidia-smi).
set -euo pipefail

NS=e2e-vgpu
MEM=3000
IMAGE=nvidia/cuda:12.4.1-base-ubuntu22.04
TIMEOUT=${TIMEOUT:-300}
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) NS=$2; shift 2 ;;
    --memory) MEM=$2; shift 2 ;;
    --image) IMAGE=$2; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
need() { command -v "$1" >/dev/null || { echo "needs $1 on PATH" >&2; exit 2; }; }
need kubectl

kubectl api-resources --api-group=batch.volcano.sh -o name | grep -q '^jobs' \
  || { echo "Volcano's Job CRD (batch.volcano.sh) is not installed" >&2; exit 2; }

# 1. resources advertised
nodes=$(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.allocatable.volcano\.sh/vgpu-number}{"\n"}{end}' \
  | awk -F= '$2 != "" && $2 > 0 {print $1}')
if [ -n "$nodes" ]; then pass "vGPU resources advertised on: $(echo $nodes)"; else fail "no node advertises volcano.sh/vgpu-number"; fi

cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    kubectl delete namespace "$NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kubectl delete queue e2e-vgpu --ignore-not-found >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null

# 2. queue + gang job that fits
kubectl apply -f - >/dev/null <<YAML
apiVersion: scheduling.volcano.sh/v1beta1
kind: Queue
metadata: {name: e2e-vgpu}
spec:
  weight: 1
  reclaimable: false
  capability: {volcano.sh/vgpu-memory: "$((MEM * 4))"}
---
apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: fits, namespace: $NS}
spec:
  schedulerName: volcano
  queue: e2e-vgpu
  minAvailable: 2
  tasks:
  - name: worker
    replicas: 2
    template:
      spec:
        restartPolicy: Never
        containers:
        - name: main
          image: $IMAGE
          command: ["sleep", "3600"]
          resources:
            limits: {volcano.sh/vgpu-number: 1, volcano.sh/vgpu-memory: $MEM, volcano.sh/vgpu-cores: 30}
YAML

# 3. both pods run, annotations consistent
deadline=$((SECONDS + TIMEOUT))
until [ "$(kubectl -n "$NS" get pods -l volcano.sh/job-name=fits --field-selector=status.phase=Running -o name | wc -l)" -ge 2 ]; do
  [ $SECONDS -lt $deadline ] || break
  sleep 3
done
pods=$(kubectl -n "$NS" get pods -l volcano.sh/job-name=fits -o name)
running=$(kubectl -n "$NS" get pods -l volcano.sh/job-name=fits --field-selector=status.phase=Running -o name | wc -l)
if [ "$running" -ge 2 ]; then pass "gang job fits: $running pods Running"; else fail "gang job: $running/2 pods Running after ${TIMEOUT}s"; fi
for p in $pods; do
  node=$(kubectl -n "$NS" get "$p" -o jsonpath='{.spec.nodeName}')
  vnode=$(kubectl -n "$NS" get "$p" -o jsonpath='{.metadata.annotations.volcano\.sh/vgpu-node}')
  ids=$(kubectl -n "$NS" get "$p" -o jsonpath='{.metadata.annotations.volcano\.sh/vgpu-ids-new}')
  phase=$(kubectl -n "$NS" get "$p" -o jsonpath='{.metadata.annotations.volcano\.sh/bind-phase}')
  if [ -n "$node" ] && [ "$node" = "$vnode" ] && [ -n "$ids" ] && [ "$phase" = success ]; then
    pass "$p on $node, devices $ids, bind-phase $phase"
  else
    fail "$p: nodeName=$node vgpu-node=$vnode ids=$ids bind-phase=$phase"
  fi
  # 4. the limit inside the container
  limit=$(kubectl -n "$NS" exec "${p#pod/}" -- sh -c 'echo $CUDA_DEVICE_MEMORY_LIMIT_0' 2>/dev/null || true)
  if [ "$limit" = "${MEM}m" ]; then pass "$p sees CUDA_DEVICE_MEMORY_LIMIT_0=$limit"; else fail "$p: CUDA_DEVICE_MEMORY_LIMIT_0='$limit', want ${MEM}m"; fi
  if kubectl -n "$NS" exec "${p#pod/}" -- sh -c 'command -v nvidia-smi' >/dev/null 2>&1; then
    total=$(kubectl -n "$NS" exec "${p#pod/}" -- nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits 2>/dev/null | head -1 | tr -d ' ')
    if [ "$total" = "$MEM" ]; then pass "$p: nvidia-smi shows $total MiB (libvgpu)"; else fail "$p: nvidia-smi shows '$total' MiB, want $MEM"; fi
  else
    echo "SKIP $p: no nvidia-smi in the image (nvml-mock node?)"
  fi
done

# 5. a gang that cannot fit never partially starts
kubectl apply -f - >/dev/null <<YAML
apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: too-big, namespace: $NS}
spec:
  schedulerName: volcano
  queue: default
  minAvailable: 2
  tasks:
  - name: worker
    replicas: 2
    template:
      spec:
        restartPolicy: Never
        containers:
        - name: main
          image: $IMAGE
          command: ["sleep", "3600"]
          resources:
            limits: {volcano.sh/vgpu-number: 1, volcano.sh/vgpu-memory: 100000000}
YAML
sleep 20
bound=$(kubectl -n "$NS" get pods -l volcano.sh/job-name=too-big -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | grep -c . || true)
if [ "$bound" = 0 ]; then pass "too-big gang: no pod bound"; else fail "too-big gang: $bound pods bound"; fi

echo "failures: $fails"
exit "$fails"
