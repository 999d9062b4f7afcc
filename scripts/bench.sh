#!/usr/bin/env bash
# Runs the JMH benchmarks of volcano-plugin-bridge (every benchmark in package io.github.volcanovgpu.bridge.bench:
# extender parsing and HTTP, the scheduling core, gRPC) with short but honest settings -- about 10 minutes on
# 2 cores -- and prints a table: benchmark, score, unit, CPU per call, target, ratio to a bare Jackson token pass
# (best iterations), then the parse ratios measured interleaved (ParseRatios).
#
#   scripts/bench.sh                 all benchmarks
#   scripts/bench.sh 'Extender.*'    only those matching a JMH regex
#
# Results (JMH JSON and log, the table as Markdown) go to bench-results/ (git-ignored); bench-results/latest.md is
# the last table. Figures measured elsewhere are appended when present: the admission latency (AdmissionWebhookIT),
# the node monitor's scrape time and RSS (scripts/monitor-figures.sh) and the images' sizes and the sidecar's start from its image (scripts/build-images.sh, target/images/figures.md).
# Environment: BENCH_JMH_ARGS replaces the JMH settings (default below), MAVEN_ARGS is added to the Maven build (e.g.
# -o offline).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

filter=${1:-io.github.volcanovgpu.bridge.bench.}
# 1 fork, 3 x 2 s warmup, 5 x 2 s measurement: enough for the JIT to settle and for an error estimate
jmh_args=${BENCH_JMH_ARGS:--f 1 -wi 3 -w 2s -i 5 -r 2s}
out=bench-results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"

echo "bench: building test classes ..." >&2
# shellcheck disable=SC2086
mvn -q -B -ntp ${MAVEN_ARGS:-} -pl proto,volcano-plugin-bridge -am -DskipTests test-compile \
  dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >&2

module=volcano-plugin-bridge
cp="$(cat "$module/target/bench-classpath.txt"):$module/target/test-classes:$module/target/classes"

{
  echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -n 1)"
  echo "jmh: $jmh_args, filter '$filter'"
} | tee "$out/jmh-$stamp.log" >&2

# shellcheck disable=SC2086
java -cp "$cp" org.openjdk.jmh.Main "$filter" $jmh_args \
  -prof io.github.volcanovgpu.bridge.bench.CpuPerOpProfiler \
  -rf json -rff "$out/jmh-$stamp.json" 2>&1 | tee -a "$out/jmh-$stamp.log" >&2

echo >&2
java -cp "$cp" io.github.volcanovgpu.bridge.bench.BenchReport "$out/jmh-$stamp.json" "$out/table-$stamp.md"
if [[ "io.github.volcanovgpu.bridge.bench.ExtenderParseBenchmark" =~ $filter ]]; then
  # the parse ratios once more, measured interleaved (steadier than ratios of runs minutes apart)
  java -cp "$cp" io.github.volcanovgpu.bridge.bench.ParseRatios "$out/table-$stamp.md"
fi
latency=volcano-plugin-bridge/target/admission-latency.md
if [[ -f "$latency" ]]; then
  # measured against the real API server by AdmissionWebhookIT (mvn -pl volcano-plugin-bridge -am verify)
  { echo; echo "from $latency ($(date -u -r "$latency" +%FT%TZ), AdmissionWebhookIT):"; cat "$latency"; } \
    | tee -a "$out/table-$stamp.md"
fi
monitor=target/monitor-figures.md
if [[ -f "$monitor" ]]; then
  # the node monitor's scrape time (8 cards x 64 containers) and RSS, measured by scripts/monitor-figures.sh
  { echo; echo "from $monitor ($(date -u -r "$monitor" +%FT%TZ), scripts/monitor-figures.sh):"; cat "$monitor"; } \
    | tee -a "$out/table-$stamp.md"
fi
images=target/images/figures.md
if [[ -f "$images" ]]; then
  # image sizes and the sidecar's start from the image, measured by scripts/build-images.sh
  { echo; echo "from $images ($(date -u -r "$images" +%FT%TZ), scripts/build-images.sh):"; cat "$images"; } \
    | tee -a "$out/table-$stamp.md"
fi
cp "$out/table-$stamp.md" "$out/latest.md"
cp "$out/jmh-$stamp.json" "$out/latest.json"
echo >&2
echo "bench: table in $out/table-$stamp.md (also $out/latest.md), JMH results in $out/jmh-$stamp.json" >&2
