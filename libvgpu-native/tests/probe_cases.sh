#!/bin/sh
# The probes under LD_PRELOAD with the stub runtimes, as the Java e2e suite uses them (vgpu-probe for CUDA, npu-probe
# for Ascend), plus bad shared files, limits written once, and silent pass-through without a runtime.
# usage: probe_cases.sh <libvgpu.so> <stub dir> <vgpu-probe> <work dir> <vgpu-region> [<npu-probe>]
set -u
LIB=$1 STUB=$2 CUDA_PROBE=$3 TOP=$4 REGION=$5 NPU_PROBE=${6:-}
rm -rf "$TOP" && mkdir -p "$TOP"
. "$(dirname "$0")/probe_lib.sh"

cases() {
  WORK="$TOP/$KIND"
  mkdir -p "$WORK"
  C="$REGION_ENV=$WORK/a.cache"
  LIM="${MEM_ENV}_0=4096$SUFFIX ${MEM_ENV}_1=2048$SUFFIX"
  run_probe "within the share succeeds" 0 "ok device=0 alloc_mib=4096 allocated_mib=4096 total_mib=4096 free_mib=4096" $C $LIM -- --alloc-mib 4096
  run_probe "1 MiB past the share is OOM" 2 "oom device=0 alloc_mib=4097 allocated_mib=0 total_mib=4096" $C $LIM -- --alloc-mib 4097
  run_probe "chunks up to the share succeed" 0 "ok device=0 alloc_mib=4096 allocated_mib=4096" $C $LIM -- --alloc-mib 4096 --chunk-mib 512
  run_probe "chunks past the share stop at the share" 2 "oom device=0 alloc_mib=5000 allocated_mib=4096" $C $LIM -- --alloc-mib 5000 --chunk-mib 512
  run_probe "device 1 has its own share" 0 "ok device=1 alloc_mib=2048" $C $LIM -- --device 1 --alloc-mib 2048
  run_probe "device 1 past its share" 2 "oom device=1 alloc_mib=2049" $C $LIM -- --device 1 --alloc-mib 2049
  run_probe "an env-less process on the same file keeps the written limits" 2 "oom device=0 alloc_mib=4097" $C -- --alloc-mib 4097
  run_probe "a process with a raised env limit cannot raise them" 2 "oom device=0 alloc_mib=4097" $C ${MEM_ENV}_0=8192$SUFFIX -- --alloc-mib 4097
  grep -q "region's limits apply" "$WORK/stderr" && pass "the mismatch is logged" || fail "no mismatch log line"

  # a concurrent holder's memory counts, and is returned when it exits (polled: the holder may start slowly)
  env -i PATH="$PATH" LD_PRELOAD="$LIB" LD_LIBRARY_PATH="$STUB" $C $LIM "$PROBE" --alloc-mib 3072 --hold-ms 4000 >/dev/null 2>&1 &
  holder=$!
  seen=""
  for i in $(seq 1 30); do
    out=$(env -i PATH="$PATH" LD_PRELOAD="$LIB" LD_LIBRARY_PATH="$STUB" $C $LIM "$PROBE" --alloc-mib 2048 2>/dev/null)
    case "$out" in oom*) seen=$out; break;; esac
    sleep 0.1
  done
  [ -n "$seen" ] && pass "another process's memory counts ($seen)" || fail "another process's 3072 MiB never counted"
  dump=$("$REGION" "$WORK/a.cache")
  echo "$dump" | grep -q "^device index=0 limit_bytes=4294967296 used_bytes=3221225472 sm_limit=100$" &&
    echo "$dump" | grep -q "^slot index=.* alive=1 used_bytes_0=3221225472$" &&
    pass "vgpu-region shows the holder's 3072 MiB" || { fail "vgpu-region dump"; echo "$dump"; }
  wait $holder
  run_probe "and is returned when it exits" 0 "ok device=0 alloc_mib=2048" $C $LIM -- --alloc-mib 2048

  # bad shared files: a clear log line, no crash, limits still enforced for this process
  head -c 3000000 /dev/urandom > "$WORK/corrupt.cache"
  run_probe "corrupt file: probe still works" 0 "ok device=0 alloc_mib=100" $REGION_ENV=$WORK/corrupt.cache $LIM -- --alloc-mib 100
  grep -q "not a libvgpu region" "$WORK/stderr" && grep -q "falling back" "$WORK/stderr" && pass "corrupt file is refused with a log line" || { fail "no refusal log"; cat "$WORK/stderr"; }
  run_probe "corrupt file: limit still enforced" 2 "oom device=0 alloc_mib=4097" $REGION_ENV=$WORK/corrupt.cache $LIM -- --alloc-mib 4097
  printf 'abc' > "$WORK/short.cache"
  run_probe "truncated file: probe still works" 0 "ok" $REGION_ENV=$WORK/short.cache $LIM -- --alloc-mib 1
  grep -q "truncated" "$WORK/stderr" && pass "truncated file is refused with a log line" || fail "no truncation log"
  # same magic, other version: a copy of a valid file with major version 9
  cp "$WORK/a.cache" "$WORK/v9.cache" && printf '\011' | dd of="$WORK/v9.cache" bs=1 seek=8 conv=notrunc 2>/dev/null
  run_probe "other version: probe still works" 0 "ok" $REGION_ENV=$WORK/v9.cache $LIM -- --alloc-mib 1
  grep -q "version 9.0" "$WORK/stderr" && pass "other version is refused with a log line" || { fail "no version log"; cat "$WORK/stderr"; }

  out=$("$REGION" "$WORK/corrupt.cache")
  [ $? -eq 1 ] && case "$out" in "error "*) true;; *) false;; esac && pass "vgpu-region refuses a corrupt file" || fail "vgpu-region on a corrupt file: $out"

  # log level 0: nothing on stderr even on OOM; stdout is only the probe's line
  run_probe "silent at $LOG_ENV=0" 2 "oom" $C $LIM $LOG_ENV=0 -- --alloc-mib 5000
  [ ! -s "$WORK/stderr" ] && pass "nothing logged at level 0" || { fail "stderr not empty at level 0"; cat "$WORK/stderr"; }

  # no driver at all: a process that never touches CUDA does not notice the library
  if ! ldconfig -p 2>/dev/null | grep -q "$RUNTIME_LIB "; then
    out=$(env -i PATH="$PATH" LD_PRELOAD="$LIB" $MEM_ENV=1024$SUFFIX \
          $REGION_ENV="$WORK/none.cache" sh -c 'echo hello' 2>"$WORK/stderr")
    [ "$out" = "hello" ] && [ ! -s "$WORK/stderr" ] && pass "process not using the runtime unaffected, nothing printed" || fail "process not using the runtime output '$out'"
    out=$(env -i PATH="$PATH" LD_PRELOAD="$LIB" $MEM_ENV=1024$SUFFIX "$PROBE" --alloc-mib 1 2>"$WORK/stderr")
    case "$out" in "error device=0 step=dlopen"*) pass "no runtime: the probe reports it, no crash";; *) fail "no runtime: '$out'";; esac
    grep -q libvgpu "$WORK/stderr" && fail "libvgpu logged without a driver" || pass "libvgpu silent without a runtime"
    [ ! -e "$WORK/none.cache" ] && pass "no region created by a process not using the runtime" || fail "region created"
  else
    echo "SKIP: a real $RUNTIME_LIB is installed; no-driver cases not run"
  fi
}

KIND=cuda PROBE=$CUDA_PROBE REGION_ENV=CUDA_DEVICE_MEMORY_SHARED_CACHE MEM_ENV=CUDA_DEVICE_MEMORY_LIMIT SUFFIX=m \
  LOG_ENV=LIBCUDA_LOG_LEVEL RUNTIME_LIB=libcuda.so.1 cases
if [ -n "$NPU_PROBE" ]; then
  KIND=npu PROBE=$NPU_PROBE REGION_ENV=NPU_LOCAL_SHM_PATH MEM_ENV=NPU_MEM_QUOTA SUFFIX="" LOG_ENV=VGPU_LOG_LEVEL \
    RUNTIME_LIB=libascendcl.so cases
  # a container-wide quota applies to every NPU it sees: no warning; a quota named for an NPU it does not see: one
  KIND=npu WORK="$TOP/npu-visible" PROBE=$NPU_PROBE && mkdir -p "$WORK"
  run_probe "a container-wide quota with two visible NPUs" 0 "ok device=1 alloc_mib=100" \
    NPU_LOCAL_SHM_PATH=$WORK/v.cache ASCEND_VISIBLE_DEVICES=6,7 NPU_MEM_QUOTA=1024 -- --device 1 --alloc-mib 100
  grep -q "ASCEND_VISIBLE_DEVICES" "$WORK/stderr" && { fail "a warning about visible devices for a global quota"; \
    cat "$WORK/stderr"; } || pass "no warning for a container-wide quota"
  run_probe "a quota named for an NPU beyond the list" 0 "ok device=0 alloc_mib=100" \
    NPU_LOCAL_SHM_PATH=$WORK/w.cache ASCEND_VISIBLE_DEVICES=6 NPU_MEM_QUOTA=1024 NPU_MEM_QUOTA_3=512 -- --alloc-mib 100
  [ "$(grep -c 'NPU_MEM_QUOTA_3 is set but ASCEND_VISIBLE_DEVICES=6 lists 1 device' "$WORK/stderr")" = 1 ] &&
    pass "one warning naming the misplaced quota" || { fail "no single warning for NPU_MEM_QUOTA_3"; cat "$WORK/stderr"; }
fi
echo "probe_cases: $fails failure(s)"
[ $fails -eq 0 ]
