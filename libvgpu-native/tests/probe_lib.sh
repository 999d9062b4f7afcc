# Shared by probe_cases.sh and tamper_cases.sh (sourced): PASS/FAIL lines prefixed with the front end ($KIND), and
# run_probe, which runs $PROBE under the preload with the stub runtimes and checks its one line and exit status.
# Needs LIB, STUB, PROBE, KIND and WORK set; counts failures in $fails.
fails=0
pass() { echo "PASS: $KIND: $1"; }
fail() { echo "FAIL: $KIND: $1"; fails=$((fails + 1)); }

# run_probe <name> <expected exit> <expected stdout prefix> [env...] -- probe args   (stderr kept in $WORK/stderr)
run_probe() {
  name=$1 want_rc=$2 want_out=$3
  shift 3
  envs=""
  while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
  shift
  # shellcheck disable=SC2086
  out=$(env -i PATH="$PATH" LD_PRELOAD="$LIB" LD_LIBRARY_PATH="$STUB" STUB_CUDA_TOTAL_MEM=80g STUB_NPU_TOTAL_MEM=64g \
        $envs "$PROBE" "$@" 2>"$WORK/stderr")
  rc=$?
  case "$out" in
    "$want_out"*) [ $rc -eq "$want_rc" ] && pass "$name ($out)" || fail "$name: exit $rc, want $want_rc ($out)";;
    *) fail "$name: stdout '$out', want '$want_out...' (exit $rc)"; cat "$WORK/stderr";;
  esac
}
