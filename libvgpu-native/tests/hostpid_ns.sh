#!/bin/sh
# Host PID discovery inside a PID namespace, as in a container: the library records each process's PID as NVML
# reports it (the node's namespace), and the SM limiter matches NVML's per-process samples through it.
# The stub driver learns its host PID from the node's procfs, bind-mounted before /proc is replaced.
# usage: hostpid_ns.sh <libvgpu.so> <stub dir> <test_driver> <work dir> <vgpu-region>; exit 77 = skipped (not root)
set -u
LIB=$1 STUB=$2 TEST=$3 W=$4 REGION=$5
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for unshare -p"; exit 77; }
unshare -m -p -f true 2>/dev/null || { echo "SKIP: unshare -m -p -f is not permitted here"; exit 77; }
rm -rf "$W" && mkdir -p "$W/hostproc"
env -i PATH="$PATH" LD_PRELOAD="$LIB" LD_LIBRARY_PATH="$STUB" STUB_CUDA_PROCS="$W/procs" \
  CUDA_DEVICE_MEMORY_SHARED_CACHE="$W/r.cache" CUDA_DEVICE_SM_LIMIT=50 GPU_CORE_UTILIZATION_POLICY=force \
  STUB_NVML_UTIL=40 LIBCUDA_LOG_LEVEL=3 \
  unshare -m -p -f --propagation private sh -c \
  "mount --bind /proc '$W/hostproc' && mount -t proc proc /proc && STUB_HOST_PROC='$W/hostproc' '$TEST' hostpid" \
  >"$W/out" 2>&1
rc=$?
cat "$W/out"
fails=0
[ $rc -eq 0 ] && echo "PASS: every slot carries its host PID inside the PID namespace" || { echo "FAIL: hostpid (exit $rc)"; fails=1; }
grep -q "found through NVML" "$W/out" && echo "PASS: discovery logged" || { echo "FAIL: no discovery log"; fails=1; }
grep -q "measured from per-process utilisation" "$W/out" && echo "PASS: the SM limiter uses per-process samples" ||
  { echo "FAIL: the limiter fell back to device-wide utilisation"; fails=1; }
"$REGION" "$W/r.cache" | grep '^slot ' | head -3
exit $fails
