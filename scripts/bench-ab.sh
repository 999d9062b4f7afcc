#!/usr/bin/env bash
# The extender parse benchmark of two revisions side by side, in one JVM: the working tree against REV (default:
# the merge base with main). Each tree's sidecar endpoint runs in its own class loader on the same request bytes
# (predicate on the realistic 8-GPU node, prioritize over 500 nodes; cached and fallback engines; a bare Jackson token
# pass as the yardstick), rounds interleaved, so a slow moment of a shared machine hits both alike. About 5 minutes
# on 2 cores.
#
#   scripts/bench-ab.sh [REV] [ROUNDS]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
rev=${1:-$(git merge-base HEAD main)}
rounds=${2:-11}
base=$(mktemp -d "${TMPDIR:-/tmp}/bench-ab-XXXXXX")
trap 'rm -rf "$base"' EXIT
git archive "$rev" | tar -x -C "$base"
for tree in "$base" "$ROOT"; do
  echo "bench-ab: building $tree ..." >&2
  (cd "$tree" && mvn -q -B -ntp ${MAVEN_ARGS:-} -pl proto,volcano-plugin-bridge -am -DskipTests test-compile \
    dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test) >&2
done
echo "base: $rev ($(git rev-parse --short "$rev")), new: the working tree; $(nproc) cores, $(java -version 2>&1 | head -n 1)"
java -Xmx3g "$ROOT/scripts/BenchAb.java" "$base" "$ROOT" "$rounds"
