#!/usr/bin/env bash
# Measures the device plugin as it runs on a node, against the REAL kubelet (1.36) of scripts/k8s-local.sh (root):
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
trap 'bash scripts/k8s-local.sh down-kubelet >/dev/null 2>&1 || true' EXIT
# one run of the plugin: prints "<ms to 3 resources registered> <RSS MB after 5 s serving>"
run_plugin() {
  local log start registered pid jpid rss_kb
  log=$(mktemp)
  start=$(date +%s%N)
  NODE_NAME=$node ./volcano-vgpu device-plugin --fake-gpus "$gpus" --gpu-memory-factor 16 --no-kube \
    --metrics-bind-address "" >"$log" 2>&1 &
  pid=$!
  registered=""
  for _ in $(seq 1 500); do
    if [ "$(grep -c 'registered with the kubelet' "$log" || true)" -ge 3 ]; then registered=$(date +%s%N); break; fi
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.01
  done
  [ -n "$registered" ] || { echo "not registered within 5 s" >&2; cat "$log" >&2; exit 1; }
  sleep 5
  jpid=$(pgrep -P "$pid" java || echo "$pid")
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$jpid/status" 2>/dev/null || awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true # the first run writes the class-data archive as it exits
  echo "$(( (registered - start) / 1000000 )) $(( rss_kb / 1024 ))"
}
rm -rf vgpu-device-plugin/target/cds
read -r first_ms first_rss < <(run_plugin)
runs=()
for _ in 1 2 3; do runs+=("$(run_plugin)"); done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
start_ms=$(median "$(cut -d' ' -f1 <<<"${runs[0]}")" "$(cut -d' ' -f1 <<<"${runs[1]}")" "$(cut -d' ' -f1 <<<"${runs[2]}")")
rss_mb=$(median "$(cut -d' ' -f2 <<<"${runs[0]}")" "$(cut -d' ' -f2 <<<"${runs[1]}")" "$(cut -d' ' -f2 <<<"${runs[2]}")")
printf '| figure | measured | target |\n|---|---:|---|\n'
printf '| start to 3 resources registered (%s fake GPUs), median of 3 | %d ms | <= 1500 ms |\n' "$gpus" "$start_ms"
printf '| same, first run after a build (no class-data archive yet; it records one) | %d ms | |\n' "$first_ms"
printf '| RSS after 5 s serving, median of 3 | %d MB | <= 150 MB |\n' "$rss_mb"

# Allocate latency with real API lookups (the harness in the module's test sources)
mvn -q -B -ntp -Dstyle.color=never -pl vgpu-device-plugin -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/figures-classpath.txt -Dmdep.includeScope=test >&2
cp="$(cat vgpu-device-plugin/target/figures-classpath.txt):vgpu-device-plugin/target/test-classes:vgpu-device-plugin/target/classes"
kubeconfig=$(bash scripts/k8s-local.sh kubeconfig)
java -cp "$cp" io.github.volcanovgpu.plugin.bench.AllocateLatencyHarness "$kubeconfig" 300 2>/dev/null
