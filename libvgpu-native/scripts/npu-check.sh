#!/bin/sh
# NPU check for libvgpu's Ascend front end on a machine with a real CANN installation and an Ascend device.
#   scripts/npu-check.sh [--stub] [--build-dir DIR] [--seconds S]
# Builds libvgpu.so and npu-probe (unless --build-dir points at a build), then under LD_PRELOAD:
#   1. ACL: with NPU_MEM_QUOTA=2048, aclrtGetMemInfo shows 2048 MiB, the whole quota allocates, 1 MiB more is
#      ACL_ERROR_RT_MEMORY_ALLOCATION (207001); chunked allocation stops at the quota
#   2. tamper: a limits file with 2048 MiB and an env asking for 8192 MiB: still 2048
#   3. torch_npu (if importable): torch.npu.mem_get_info shows the quota; a tensor past it raises OOM; a matmul loop
#      at NPU_CORE_PERCENT 30/50/70 vs unlimited (throughput ratio = achieved share of device time)
# Without CANN (no libascendcl.so) it says so and exits 0: the checks are skipped on purpose, nothing is claimed.
# --stub runs steps 1 and 2 against the stub runtime plus the simulated-clock share table (CTest does this, so the
# script cannot rot). Prints PASS/FAIL per line; exit status = failures.
set -u
. "$(dirname "$0")/check_lib.sh"
check_args "$@"

if [ $STUB -eq 0 ]; then
  CANN_LIB=""
  for d in "${ASCEND_HOME_PATH:-}/lib64" /usr/local/Ascend/ascend-toolkit/latest/lib64 /usr/local/Ascend/latest/lib64; do
    [ -f "$d/libascendcl.so" ] && { CANN_LIB=$d; break; }
  done
  [ -z "$CANN_LIB" ] && ldconfig -p 2>/dev/null | grep -q 'libascendcl.so ' && CANN_LIB=system
  if [ -z "$CANN_LIB" ]; then
    echo "SKIP: no CANN installation found (libascendcl.so not in \$ASCEND_HOME_PATH/lib64, /usr/local/Ascend/*/lib64"
    echo "      or the loader cache): the Ascend checks were not run. Use --stub for the stub runtime."
    exit 0
  fi
  [ "$CANN_LIB" != system ] && export LD_LIBRARY_PATH="$CANN_LIB:${LD_LIBRARY_PATH:-}"
fi

npu_tools_by_hand() { # the probe, and the stub runtime for --stub
  F=$BY_HAND_FLAGS
  # shellcheck disable=SC2086
  gcc $F -DPROBE_NPU=1 -o "$BUILD/bin/npu-probe" "$HERE/tools/probe.c" -ldl &&
    gcc $F -shared -Wl,-soname,libruntime.so -o "$BUILD/stub/libruntime.so" "$HERE/stub/stub_rt.c" \
      "$HERE/stub/stubmem.c" "$HERE/stub/simcard.c" -lpthread &&
    gcc $F -shared -Wl,-soname,libascendcl.so -o "$BUILD/stub/libascendcl.so" "$HERE/stub/stub_acl.c" \
      -L"$BUILD/stub" -lruntime
}
check_build npu-check "npu-probe vgpu-share stub_acl stub_rt" -- npu_tools_by_hand
PROBE="$BUILD/bin/npu-probe"
if [ $STUB -eq 1 ]; then
  export LD_LIBRARY_PATH="$BUILD/stub" STUB_NPU_TOTAL_MEM=64g
  echo "== npu-check against the STUB runtime (mechanics only) =="
else
  echo "== npu-check on $(npu-smi info 2>/dev/null | sed -n 's/.*\(910[A-Z0-9]*\|310[A-Z0-9]*\).*/\1/p' | head -1) (CANN in $CANN_LIB) =="
fi
pre() { # with the preload and a fresh accounting region; args: env then command
  env LD_PRELOAD="$LIB" NPU_LOCAL_SHM_PATH="$(mktemp -u "$WORK/region.XXXXXX")" VGPU_LOG_LEVEL=1 "$@"
}

# 1. ACL memory
out=$(pre NPU_MEM_QUOTA=2048 "$PROBE" --alloc-mib 2048 2>"$WORK/stderr")
echo "  $out"
case "$out" in "ok device=0 alloc_mib=2048 allocated_mib=2048 total_mib=2048 "*) pass "aclrtGetMemInfo shows the 2048 MiB quota and the whole quota allocates";; *) fail "quota allocation: $out";; esac
out=$(pre NPU_MEM_QUOTA=2048 "$PROBE" --alloc-mib 2049 2>"$WORK/stderr")
case "$out" in "oom device=0 alloc_mib=2049 allocated_mib=0"*) pass "1 MiB past the quota is ACL_ERROR_RT_MEMORY_ALLOCATION";; *) fail "past-quota allocation: $out";; esac
out=$(pre NPU_MEM_QUOTA=2048 "$PROBE" --alloc-mib 3000 --chunk-mib 256 2>"$WORK/stderr")
case "$out" in "oom device=0 alloc_mib=3000 allocated_mib=2048"*) pass "chunked allocation stops at the quota";; *) fail "chunked allocation: $out";; esac

# 2. the limits file wins over the environment
printf 'version=1\nkind=npu\ndevices=1\ndevice.0.id=0\ndevice.0.memory_mib=2048\ndevice.0.core_percent=0\npriority=1\ncore_policy=force\noversubscribe=false\n' >"$WORK/limits"
out=$(pre VGPU_LIMITS_FILE="$WORK/limits" NPU_MEM_QUOTA=8192 "$PROBE" --alloc-mib 2049 2>"$WORK/stderr")
case "$out" in "oom device=0 alloc_mib=2049"*) pass "a limits file's 2048 MiB holds against NPU_MEM_QUOTA=8192";; *) fail "limits file: $out";; esac

# 3. torch_npu, or the simulated clock with --stub
if [ $STUB -eq 1 ] && [ ! -x "$BUILD/bin/vgpu-share" ]; then
  echo "SKIP: vgpu-share not built (built by hand, without cmake): no simulated-clock share table"
elif [ $STUB -eq 1 ]; then
  for shares in 50,30,20 30,70; do
    out=$(pre "$BUILD/bin/vgpu-share" --api npu --shares "$shares" --seconds 2 --warmup-ms 500 --work "$WORK/share" \
      --tolerance 10 2>&1)
    rc=$?
    echo "$out" | sed 's/^/  /'
    [ $rc -eq 0 ] && pass "compute share $shares on the simulated clock" || fail "compute share $shares"
  done
elif python3 -c 'import torch, torch_npu, sys; sys.exit(0 if torch.npu.is_available() else 1)' 2>/dev/null; then
  out=$(pre NPU_MEM_QUOTA=2048 python3 - <<'PY' 2>&1
import torch, torch_npu
free, total = torch.npu.mem_get_info()
print(f"torch_mem_get_info total_mib={total >> 20} free_mib={free >> 20}")
a = torch.empty(1024 << 20, dtype=torch.uint8, device="npu")
try:
    b = torch.empty(1536 << 20, dtype=torch.uint8, device="npu")
    print("torch_alloc_past_quota=ok")
except RuntimeError as e:
    print("torch_alloc_past_quota=oom")
PY
)
  echo "$out" | sed 's/^/  /'
  echo "$out" | grep -q "total_mib=2048 " && pass "torch.npu.mem_get_info shows the quota" || fail "torch mem_get_info"
  echo "$out" | grep -q "torch_alloc_past_quota=oom" && pass "a tensor past the quota is refused" || fail "torch past-quota"
  rate() { # matmuls per second for SECS seconds, synchronised each 10
    pre "$@" python3 - "$SECS" <<'PY' 2>/dev/null | sed -n 's/^rate=//p'
import sys, time, torch, torch_npu
a = torch.randn(4096, 4096, device="npu"); b = torch.randn(4096, 4096, device="npu")
n, t0 = 0, time.time()
while time.time() - t0 < float(sys.argv[1]):
    for _ in range(10): c = a @ b
    torch.npu.synchronize(); n += 10
print(f"rate={n / (time.time() - t0):.2f}")
PY
  }
  base=$(rate NPU_CORE_PERCENT=0)
  printf "  %-8s %10s %10s %8s\n" target matmul/s achieved error
  for p in 30 50 70; do
    r=$(rate NPU_CORE_PERCENT=$p)
    if [ -n "$r" ] && [ -n "$base" ]; then
      awk -v r="$r" -v b="$base" -v p="$p" 'BEGIN { a = 100 * r / b; printf "  %-8s %10.1f %9.1f%% %+8.1f\n", p "%", r, a, a - p }'
      awk -v r="$r" -v b="$base" -v p="$p" 'BEGIN { exit !(100 * r / b < p + 10) }' && pass "NPU_CORE_PERCENT=$p caps the matmul loop" ||
        fail "NPU_CORE_PERCENT=$p does not cap the matmul loop"
    else
      fail "matmul loop at $p%"
    fi
  done
else
  echo "SKIP: torch_npu not importable; the compute-share check needs a kernel to run"
fi
echo "npu-check: $fails failure(s)"
[ $fails -eq 0 ]
