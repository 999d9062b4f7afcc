#!/usr/bin/env bash
# Measures the vGPU node monitor as it runs on a node (no root, no kubelet: the kubelet's pod-resources service is
# played on a unix socket by MonitorFixtureHarness, the cards are --fake-gpus):
#   - scrape time of GET /metrics for CARDS cards x CONTAINERS containers, every container holding a share of every
#     card with two live processes (a fresh read of all regions, /proc and the kubelet per scrape, as HAMi's)
#   - resident memory (RSS) of the monitor after the scrapes (target <= 100 MB)
# Prints a Markdown table (also written to target/monitor-figures.md, which scripts/bench.sh appends).
# Usage: scripts/monitor-figures.sh [cards, default 8] [containers, default 64] [scrapes, default 200]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
cards=${1:-8}
containers=${2:-64}
scrapes=${3:-200}
port=${MONITOR_FIGURES_PORT:-19394}

# build first (the launcher builds the device plugin module), then the test classes for the harness
./volcano-vgpu monitor --help >/dev/null
mvn -q -B -ntp ${MAVEN_ARGS:-} -pl vgpu-device-plugin -am -DskipTests -Dlibvgpu.skip=true test-compile \
  dependency:build-classpath -Dmdep.outputFile=target/figures-classpath.txt -Dmdep.includeScope=test >&2
module=vgpu-device-plugin
cp="$(cat "$module/target/figures-classpath.txt"):$module/target/test-classes:$module/target/classes"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
java -cp "$cp" io.github.volcanovgpu.plugin.bench.MonitorFixtureHarness "$work/hook" "$work/kubelet.sock" \
  "$cards" "$containers" >"$work/harness.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do grep -q '^ready' "$work/harness.log" && break; sleep 0.1; done
grep -q '^ready' "$work/harness.log" || { cat "$work/harness.log" >&2; exit 1; }

NODE_NAME=figures-node ./volcano-vgpu monitor --fake-gpus "$cards" --no-kube --hook-path "$work/hook" \
  --pod-resources-socket "$work/kubelet.sock" --metrics-bind-address "127.0.0.1:$port" >"$work/monitor.log" 2>&1 &
mon=$!
pids+=("$mon")
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null && break; sleep 0.1; done
rows=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -c '^hami_vgpu_memory_used_bytes{' || true)
[ "$rows" -eq $((cards * containers)) ] || { echo "expected $((cards * containers)) container rows, got $rows" >&2;
  cat "$work/monitor.log" >&2; exit 1; }
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null; done # warm up
times="$work/times"
for _ in $(seq 1 "$scrapes"); do
  curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics" >>"$times"
done
bytes=$(curl -sf "http://127.0.0.1:$port/metrics" | wc -c)
jpid=$(pgrep -P "$mon" java || echo "$mon")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$jpid/status")
read -r p50 p99 max < <(sort -n "$times" | awk '{a[NR]=$1} END {printf "%.1f %.1f %.1f\n", a[int(NR*0.5)]*1000,
  a[int(NR*0.99)]*1000, a[NR]*1000}')
mkdir -p target
{
  echo "| monitor ($cards cards x $containers containers, $rows container rows, $bytes bytes) | figure | target |"
  echo "|---|---|---|"
  echo "| scrape time p50 / p99 / max ($scrapes scrapes) | $p50 / $p99 / $max ms | |"
  echo "| RSS after the scrapes | $((rss_kb / 1024)) MB | <= 100 MB |"
  echo
  echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -n 1)"
} | tee target/monitor-figures.md
