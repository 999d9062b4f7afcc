#!/usr/bin/env bash
# Measures the device plugin as it runs on a node, against the REAL kubelet 1.20 of scripts/k8s-local.sh (root):
#   - time from process start to all three resources registered with the kubelet (target <= 1.5 s)
#   - resident memory (RSS) of the running plugin after registration and a few seconds of serving (<= 150 MB)
# Prints a small table. Usage: scripts/device-plugin-figures.sh [fake GPU count, default 8]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
gpus=${1:-8}
node=figures-node
[ "$(id -u)" -eq 0 ] || { echo "needs root (the real kubelet)" >&2; exit 1; }

# build first, so that the measured start is the JVM's, not Maven's
./volcano-vgpu device-plugin --help >/dev/null
bash scripts/k8s-local.sh up "$node" >/dev/null
sleep 3 # the kubelet re-creates kubelet.sock shortly after its node registers
trap 'kill "${pid:-0}" 2>/dev/null || true; bash scripts/k8s-local.sh down-kubelet >/dev/null 2>&1 || true' EXIT
log=$(mktemp)
start=$(date +%s%N)
NODE_NAME=$node ./volcano-vgpu device-plugin --fake-gpus "$gpus" --gpu-memory-factor 16 --no-kube \
  --metrics-bind-address "" >"$log" 2>&1 &
pid=$!
registered=""
for _ in $(seq 1 300); do
  if [ "$(grep -c 'registered with the kubelet' "$log" || true)" -ge 3 ]; then registered=$(date +%s%N); break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.01
done
[ -n "$registered" ] || { echo "not registered within 3 s" >&2; cat "$log" >&2; exit 1; }
sleep 5
jpid=$(pgrep -P "$pid" java || echo "$pid")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$jpid/status" 2>/dev/null || awk '/VmRSS/ {print $2}' "/proc/$pid/status")
printf '| figure | measured | target |\n|---|---:|---|\n'
printf '| start to 3 resources registered (%s fake GPUs) | %d ms | <= 1500 ms |\n' "$gpus" $(( (registered - start) / 1000000 ))
printf '| RSS after 5 s serving | %d MB | <= 150 MB |\n' $(( rss_kb / 1024 ))
kill "$pid" 2>/dev/null || true

# Allocate latency with real API lookups (the harness in the module's test sources)
mvn -q -B -ntp -pl vgpu-device-plugin -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/figures-classpath.txt -Dmdep.includeScope=test >&2
cp="$(cat vgpu-device-plugin/target/figures-classpath.txt):vgpu-device-plugin/target/test-classes:vgpu-device-plugin/target/classes"
kubeconfig=$(bash scripts/k8s-local.sh kubeconfig)
java -cp "$cp" io.github.volcanovgpu.plugin.bench.AllocateLatencyHarness "$kubeconfig" 300 2>/dev/null
