#!/bin/sh
# Per-call overhead of libvgpu against the stub driver: cuLaunchKernel and cuMemAlloc_v2+cuMemFree_v2,
# without and with LD_PRELOAD=libvgpu.so (memory limit set, no SM limit). Best of 5 runs each.
# Targets: <= 30 ns added per launch, <= 300 ns added per alloc+free.
#   scripts/bench.sh [--build-dir DIR]
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$HERE/target/native"
[ "${1:-}" = "--build-dir" ] && BUILD=$2
if [ ! -x "$BUILD/bin/vgpu-bench" ]; then
  BUILD="$HERE/target/bench-build"
  cmake -S "$HERE" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVGPU_SANITIZE=OFF >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target vgpu vgpu-bench >/dev/null
fi
WORK=$(mktemp -d /tmp/vgpu-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
best() { # best launch and alloc figures of 5 runs: prints "<launch> <allocfree>"
  for i in 1 2 3 4 5; do "$@" 2>/dev/null; done |
    sed -n 's/^launch_ns=\([0-9.]*\) allocfree_ns=\([0-9.]*\)$/\1 \2/p' |
    awk 'NR == 1 || $1 < l { l = $1 } NR == 1 || $2 < a { a = $2 } END { print l, a }'
}
base=$(best env LD_LIBRARY_PATH="$BUILD/stub" "$BUILD/bin/vgpu-bench")
with=$(best env LD_LIBRARY_PATH="$BUILD/stub" LD_PRELOAD="$BUILD/lib/libvgpu.so" \
  CUDA_DEVICE_MEMORY_LIMIT_0=4096m CUDA_DEVICE_MEMORY_SHARED_CACHE="$WORK/bench.cache" "$BUILD/bin/vgpu-bench")
echo "$base $with" | awk '{
  printf "%-26s %12s %12s %12s %8s %10s\n", "call", "stub ns", "preload ns", "added ns", "ratio", "target"
  printf "%-26s %12.1f %12.1f %12.1f %8.2f %10s\n", "cuLaunchKernel", $1, $3, $3 - $1, $3 / $1, "<= 30 ns"
  printf "%-26s %12.1f %12.1f %12.1f %8.2f %10s\n", "cuMemAlloc_v2+cuMemFree_v2", $2, $4, $4 - $2, $4 / $2, "<= 300 ns"
}'
