#!/bin/sh
# GPU check for libvgpu (one run of a few minutes on a machine with an NVIDIA GPU and driver; no nvcc needed).
#   scripts/gpu-check.sh [--stub] [--build-dir DIR] [--seconds S]
# Builds libvgpu.so (unless --build-dir points at a build), then under LD_PRELOAD with a 2 GiB limit and SM limits:
#   1. driver API: cuMemGetInfo shows 2048 MiB; allocating it succeeds; 1 MiB more is OOM
#   2. PyTorch (if importable with CUDA): torch.cuda.mem_get_info shows the limit; allocation past it is OOM
#   3. SM-limit accuracy table: throughput of a saturating PTX kernel at 30/50/70 % vs unlimited, and two processes
#      at 30/70 on one card (each one's throughput / the unlimited one = its achieved share); with --stub, the same
#      table measured on the stub's simulated device clock (vgpu-share)
#   4. launch-heavy loop: ns per launch with vs without the preload
# --stub runs the same steps against the stub driver (CTest does this so the script cannot rot); the
# throughput figures are then meaningless and only the mechanics are checked.
set -u
. "$(dirname "$0")/check_lib.sh"
check_args "$@"
gpu_tools_by_hand() {
  F=$BY_HAND_FLAGS
  # shellcheck disable=SC2086
  gcc $F -o "$BUILD/bin/vgpu-gpucheck" "$HERE/tools/gpucheck.c" -ldl &&
    gcc $F -shared -Wl,-soname,libcuda.so.1 -o "$BUILD/stub/libcuda.so.1" "$HERE/stub/stub_cuda.c" \
      "$HERE/stub/stubmem.c" "$HERE/stub/simcard.c" -lpthread -ldl &&
    gcc $F -shared -Wl,-soname,libnvidia-ml.so.1 -o "$BUILD/stub/libnvidia-ml.so.1" "$HERE/stub/stub_nvml.c" -ldl
}
check_build gpu-check "vgpu-gpucheck vgpu-share stub_cuda stub_nvml" -- gpu_tools_by_hand
CHECK="$BUILD/bin/vgpu-gpucheck"
if [ $STUB -eq 1 ]; then
  export LD_LIBRARY_PATH="$BUILD/stub" STUB_CUDA_TOTAL_MEM=80g STUB_NVML_UTIL=100
  SECS=1 ITERS=1 LAUNCHES=200000 KENV="STUB_CUDA_LAUNCH_NS=200000"
  echo "== gpu-check against the STUB driver (mechanics only) =="
else
  ITERS=${GPU_CHECK_ITERS:-200000} LAUNCHES=200000 KENV="GPU_CHECK=1"
  echo "== gpu-check on $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1) =="
fi
pre() { # run with the preload and a fresh shared region (limits are written once per region); args: env then command
  env LD_PRELOAD="$LIB" CUDA_DEVICE_MEMORY_SHARED_CACHE="$(mktemp -u "$WORK/region.XXXXXX")" LIBCUDA_LOG_LEVEL=1 "$@"
}

# 1. driver API memory
out=$(pre CUDA_DEVICE_MEMORY_LIMIT_0=2048m "$CHECK" mem 2>&1)
echo "$out" | sed 's/^/  /'
echo "$out" | grep -q "meminfo total_mib=2048 " && pass "cuMemGetInfo total is the 2048 MiB limit" || fail "cuMemGetInfo total"
echo "$out" | grep -q "alloc_total=ok" && pass "allocating the whole share succeeds" || fail "allocating the share"
echo "$out" | grep -q "alloc_plus_1mib=oom" && pass "1 MiB past the limit is CUDA_ERROR_OUT_OF_MEMORY" || fail "past-limit allocation"

# 2. PyTorch, if importable with CUDA
if [ $STUB -eq 0 ] && python3 -c 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  out=$(pre CUDA_DEVICE_MEMORY_LIMIT_0=2048m python3 - <<'PY' 2>&1
import torch
free, total = torch.cuda.mem_get_info()
print(f"torch_mem_get_info total_mib={total >> 20} free_mib={free >> 20}")
a = torch.empty(1024 << 20, dtype=torch.uint8, device="cuda")
print("torch_alloc_1gib=ok")
try:
    b = torch.empty(1536 << 20, dtype=torch.uint8, device="cuda")
    print("torch_alloc_past_limit=ok")
except torch.cuda.OutOfMemoryError:
    print("torch_alloc_past_limit=oom")
PY
)
  echo "$out" | sed 's/^/  /'
  echo "$out" | grep -q "total_mib=2048 " && pass "torch.cuda.mem_get_info shows the limit" || fail "torch mem_get_info"
  echo "$out" | grep -q "torch_alloc_past_limit=oom" && pass "torch allocation past the limit is OOM" || fail "torch past-limit"
else
  echo "SKIP: PyTorch with CUDA not importable"
fi

# 3. SM-limit accuracy
krate() { pre $KENV "$@" "$CHECK" kernel "$SECS" "$ITERS" 2>&1 | sed -n 's/^kernels_per_s=//p'; }
base=$(krate)
[ -n "$base" ] && pass "saturating kernel runs (unlimited: $base kernels/s)" || fail "saturating kernel"
printf "  %-28s %8s %12s %9s %7s\n" "SM limit" target kernels/s achieved error
row() { # <label> <target> <rate>
  awk -v l="$1" -v t="$2" -v r="$3" -v b="$base" 'BEGIN { a = 100 * r / b; printf "  %-28s %7s%% %12.1f %8.1f%% %+7.1f\n", l, t, r, a, a - t }'
}
for lim in 30 50 70; do
  r=$(krate CUDA_DEVICE_SM_LIMIT=$lim GPU_CORE_UTILIZATION_POLICY=force)
  if [ -n "$r" ] && [ -n "$base" ]; then
    row "1 process" "$lim" "$r"
    ratio=$(awk -v a="$r" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    if [ $STUB -eq 0 ]; then
      awk -v x="$ratio" -v l="$lim" 'BEGIN { exit !(x < l / 100 + 0.15) }' &&
        pass "SM limit $lim% throttles (ratio $ratio)" || fail "SM limit $lim% does not throttle enough (ratio $ratio)"
    else
      awk -v x="$ratio" 'BEGIN { exit !(x < 0.5) }' && pass "SM limit $lim% run completes and is throttled (stub reports 100% busy)" ||
        fail "SM limit $lim% not throttled against the stub"
    fi
  else
    fail "SM limit $lim% run"
  fi
done
# two processes on one card, 30 and 70 (HAMi-core measured 46/54 here, HAMi-core#274)
pre $KENV CUDA_DEVICE_SM_LIMIT=30 GPU_CORE_UTILIZATION_POLICY=force "$CHECK" kernel "$SECS" "$ITERS" >"$WORK/k30" 2>&1 &
p30=$!
pre $KENV CUDA_DEVICE_SM_LIMIT=70 GPU_CORE_UTILIZATION_POLICY=force "$CHECK" kernel "$SECS" "$ITERS" >"$WORK/k70" 2>&1
wait $p30
r30=$(sed -n 's/^kernels_per_s=//p' "$WORK/k30") r70=$(sed -n 's/^kernels_per_s=//p' "$WORK/k70")
if [ -n "$r30" ] && [ -n "$r70" ] && [ -n "$base" ]; then
  row "2 processes, one card" 30 "$r30"
  row "2 processes, one card" 70 "$r70"
  pass "two processes at 30/70 on one card measured"
else
  fail "two processes at 30/70"
fi
if [ $STUB -eq 1 ] && [ -x "$BUILD/bin/vgpu-share" ]; then
  echo "  on the stub's simulated device clock (device time per process; the figures a GPU run compares with):"
  for shares in 30 50 70 30,70; do
    env LD_PRELOAD="$LIB" LIBCUDA_LOG_LEVEL=1 "$BUILD/bin/vgpu-share" --api cuda --shares "$shares" --seconds 3 \
      --warmup-ms 1500 --work "$WORK/share" |
      awk '/^share / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                       printf "  %-28s %7s%% %12s %8s%% %+7.1f\n", "simulated", v["target"], "-", v["wall_pct"], v["error"] }'
  done
fi

# 4. launch overhead (no SM limit)
a=$(env "$CHECK" launches "$LAUNCHES" 2>&1 | sed -n 's/^ns_per_launch=//p')
b=$(pre CUDA_DEVICE_MEMORY_LIMIT_0=2048m "$CHECK" launches "$LAUNCHES" 2>&1 | sed -n 's/^ns_per_launch=//p')
if [ -n "$a" ] && [ -n "$b" ]; then
  echo "  launch loop: $a ns/launch without, $b ns/launch with the preload ($(awk -v a="$a" -v b="$b" 'BEGIN { printf "%+.1f ns, x%.3f", b - a, b / a }'))"
  pass "launch loop measured"
else
  fail "launch loop"
fi
echo "gpu-check: $fails failure(s)"
[ $fails -eq 0 ]
