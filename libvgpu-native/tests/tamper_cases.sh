#!/bin/sh
# Tamper-proof limits: with the device plugin's limits file present, nothing a container does to its environment
# lifts a limit the file sets (docs/limits-file.md). One case per escape, for each front end given.
# usage: tamper_cases.sh <libvgpu.so> <stub dir> <work dir> cuda <vgpu-probe> [npu <npu-probe>]
set -u
LIB=$1 STUB=$2 WORK=$3
shift 3
rm -rf "$WORK" && mkdir -p "$WORK"
. "$(dirname "$0")/probe_lib.sh"
logged() { grep -q "$1" "$WORK/stderr" && pass "$2" || { fail "$2 (no '$1' on stderr)"; cat "$WORK/stderr"; }; }

# limits_file <path> <kind> <memory_mib> <core_percent> <region>
limits_file() {
  printf 'version=1\nkind=%s\ndevices=1\ndevice.0.id=0\ndevice.0.memory_mib=%s\ndevice.0.core_percent=%s\npriority=1\ncore_policy=force\noversubscribe=false\nregion=%s\n' \
    "$2" "$3" "$4" "$5" >"$1"
}

# one front end: KIND, PROBE, and its env names
tamper() {
  D="$WORK/$KIND"
  mkdir -p "$D"
  F="$D/limits"
  limits_file "$F" "$KIND" 4096 30 "$D/file.cache"
  L="VGPU_LIMITS_FILE=$F"
  run_probe "the file's share allocates" 0 "ok device=0 alloc_mib=4096 allocated_mib=4096 total_mib=4096" $L -- --alloc-mib 4096
  run_probe "1 MiB past the file's share is refused" 2 "oom device=0 alloc_mib=4097 allocated_mib=0" $L -- --alloc-mib 4097
  run_probe "an env raising the limit does not raise it" 2 "oom device=0 alloc_mib=4097" $L "$MEM_ENV_0=81920$MEM_SUFFIX" "$MEM_ENV=80g" -- --alloc-mib 4097
  logged "the file's limits apply" "the raise attempt is logged"
  run_probe "an env removing the limit does not remove it" 2 "oom device=0 alloc_mib=4097" $L "$MEM_ENV_0=0" "$MEM_ENV=" -- --alloc-mib 4097
  run_probe "CUDA_DISABLE_CONTROL=true changes nothing" 2 "oom device=0 alloc_mib=4097" $L CUDA_DISABLE_CONTROL=true -- --alloc-mib 4097
  run_probe "editing the env inside the process (LD_PRELOAD unset, limit raised) lifts nothing" 2 "oom device=0 alloc_mib=4097" \
    $L "$MEM_ENV_0=4096$MEM_SUFFIX" -- --unsetenv LD_PRELOAD --unsetenv "$MEM_ENV_0" --setenv "$MEM_ENV=80g" --alloc-mib 4097
  run_probe "an env lowering the limit lowers it" 2 "oom device=0 alloc_mib=1025" $L "$MEM_ENV_0=1024$MEM_SUFFIX" -- --alloc-mib 1025
  run_probe "and the lowered share still allocates" 0 "ok device=0 alloc_mib=1024" $L "$MEM_ENV_0=1024$MEM_SUFFIX" -- --alloc-mib 1024
  # moving the accounting region to a fresh file would forget the container's other processes: the file's region applies
  env -i PATH="$PATH" LD_PRELOAD="$LIB" LD_LIBRARY_PATH="$STUB" STUB_NPU_TOTAL_MEM=64g $L "$PROBE" --alloc-mib 3072 --hold-ms 5000 \
    >/dev/null 2>&1 &
  holder=$!
  seen=""
  for i in $(seq 1 40); do
    out=$(env -i PATH="$PATH" LD_PRELOAD="$LIB" LD_LIBRARY_PATH="$STUB" STUB_NPU_TOTAL_MEM=64g $L \
          "$REGION_ENV=$D/fresh.cache" "$PROBE" --alloc-mib 2048 2>"$WORK/stderr")
    case "$out" in oom*) seen=$out; break;; esac
    sleep 0.1
  done
  [ -n "$seen" ] && pass "an env moving the region to a fresh file still sees the holder's 3072 MiB ($seen)" ||
    fail "a fresh region escaped the holder's memory"
  [ ! -e "$D/fresh.cache" ] && pass "the env's region file was never created" || fail "the env's region was used"
  kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
  # a file that is present but cannot be read as version 1 fails closed
  printf 'version=9\n' >"$D/bad-limits"
  run_probe "an unreadable limits file fails closed" 2 "oom device=0 alloc_mib=1" VGPU_LIMITS_FILE="$D/bad-limits" "$MEM_ENV=80g" -- --alloc-mib 1
  logged "fail closed" "the invalid file is logged"
  # root only: the plugin's injection path. /etc/ld.so.preload and /etc/vgpu/limits in a private mount namespace;
  # a process started with no LD_PRELOAD, no limit env and VGPU_LIMITS_FILE pointing at a looser file is still limited.
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
    E="$D/etc"
    mkdir -p "$E/vgpu"
    cp -a /etc/. "$E/" 2>/dev/null
    echo "$LIB" >"$E/ld.so.preload"
    limits_file "$E/vgpu/limits" "$KIND" 4096 30 "$D/file.cache"
    limits_file "$D/loose" "$KIND" 0 0 "$D/loose.cache"
    out=$(env -i PATH="$PATH" LD_LIBRARY_PATH="$STUB" STUB_CUDA_TOTAL_MEM=80g STUB_NPU_TOTAL_MEM=64g VGPU_LIMITS_FILE="$D/loose" \
          unshare -m sh -c "mount --bind '$E' /etc && exec '$PROBE' --alloc-mib 4097" 2>"$WORK/stderr")
    case "$out" in
      "oom device=0 alloc_mib=4097"*) pass "ld.so.preload + /etc/vgpu/limits limit an env-less process; VGPU_LIMITS_FILE cannot move the mounted file ($out)";;
      *) fail "ld.so.preload path: '$out'"; cat "$WORK/stderr";;
    esac
  else
    echo "SKIP: $KIND: ld.so.preload case needs root and unshare -m"
  fi
}

while [ $# -ge 2 ]; do
  KIND=$1 PROBE=$2
  shift 2
  case "$KIND" in
    cuda) MEM_ENV=CUDA_DEVICE_MEMORY_LIMIT MEM_ENV_0=CUDA_DEVICE_MEMORY_LIMIT_0 MEM_SUFFIX=m REGION_ENV=CUDA_DEVICE_MEMORY_SHARED_CACHE;;
    npu) MEM_ENV=NPU_MEM_QUOTA MEM_ENV_0=NPU_MEM_QUOTA_0 MEM_SUFFIX="" REGION_ENV=NPU_LOCAL_SHM_PATH;;
    *) echo "unknown kind $KIND"; exit 64;;
  esac
  tamper
done
echo "tamper_cases: $fails failure(s)"
[ $fails -eq 0 ]
