#!/usr/bin/env bash
# The REAL Volcano scheduler and job controller for tests: vc-scheduler and vc-controller-manager built from Volcano's
# own source (volcano-sh/volcano ed72c7c8, v1.16.0-alpha.1-42, Apache-2.0; trimmed to what the build needs, its
# LICENSE inside) carried beside this script in scripts/volcano-local/volcano-src.tar.xz. Only Go modules come from
# the Go module proxy (about 440 MiB unpacked in the module cache, pinned by Volcano's go.sum). The API server is
# scripts/k8s-local.sh's; this script starts nothing (the tests start the binaries themselves).
#
#   scripts/volcano-local.sh build     unpack the sources and build both binaries once (cached; about 4 min on 2
#                                      cores the first time); idempotent; prints VOLCANO_BIN=<dir>, VOLCANO_CRDS=<dir>
#   scripts/volcano-local.sh paths     print the same lines; fails when not built (never builds)
#   scripts/volcano-local.sh status    build state
#
# Environment (defaults in brackets):
#   VOLCANO_LOCAL_DIR       cache: sources (src/), binaries (bin/), build log, keyed by the tarball's digest
#                           [~/.cache/volcano-local]
#   VOLCANO_LOCAL_NO_BUILD  1: never build; fail with a message when the binaries are missing
#   VOLCANO_LOCAL_GO_DIR    Go module cache (mod/) and build cache (build/) [the ones of scripts/k8s-local.sh:
#                           ${K8S_LOCAL_DIR:-~/.cache/k8s-local}/go]. Volcano pins the same k8s.io modules (1.36.1)
#                           as the API server build, so after that build most of Volcano's dependencies are already
#                           downloaded and compiled (both caches are safe for concurrent use)
#
# Building needs Go >= 1.21 on PATH (the go command fetches the Go release Volcano's go.mod names, when newer).
# CRDs: VOLCANO_CRDS is Volcano's config/crd/volcano/bases (PodGroup, Queue, Job, ... as the Volcano release ships).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TARBALL=$HERE/volcano-local/volcano-src.tar.xz
ROOT=${VOLCANO_LOCAL_DIR:-$HOME/.cache/volcano-local}

log() { echo "volcano-local: $*" >&2; }
die() { echo "volcano-local: error: $*" >&2; exit 1; }

[ -f "$TARBALL" ] || die "missing $TARBALL (the Volcano source tarball this script builds from)"
command -v sha256sum >/dev/null 2>&1 || die "no sha256sum on PATH (coreutils)"
DIGEST=$(sha256sum "$TARBALL" | cut -c1-12)
D=$ROOT/$DIGEST
SRC=$D/src/volcano
BIN=$D/bin
CRDS=$SRC/config/crd/volcano/bases
GO_DIR=${VOLCANO_LOCAL_GO_DIR:-${K8S_LOCAL_DIR:-$HOME/.cache/k8s-local}/go}

is_built() { [ -x "$BIN/vc-scheduler" ] && [ -x "$BIN/vc-controller-manager" ] && [ -d "$CRDS" ]; }

paths() {
  echo "VOLCANO_BIN=$BIN"
  echo "VOLCANO_CRDS=$CRDS"
}

go_cmd() {
  local go v
  go=$(command -v go || true)
  [ -n "$go" ] || die "no 'go' on PATH; building Volcano needs Go >= 1.21 (it fetches the Go its go.mod names)"
  v=$("$go" env GOVERSION 2>/dev/null || true)
  case $v in
    go1.2[1-9]*|go1.[3-9][0-9]*|go[2-9]*) echo "$go" ;;
    *) die "$go is ${v:-too old}; building Volcano needs Go >= 1.21" ;;
  esac
}

build() {
  if is_built; then paths; return 0; fi
  [ "${VOLCANO_LOCAL_NO_BUILD:-0}" = 1 ] \
    && die "vc-scheduler/vc-controller-manager are not built in $BIN (VOLCANO_LOCAL_NO_BUILD=1); run: $0 build"
  command -v flock >/dev/null 2>&1 || die "no flock on PATH (util-linux)"
  command -v xz >/dev/null 2>&1 || die "no xz on PATH (xz-utils) to unpack $TARBALL"
  mkdir -p "$D"
  # one build per cache at a time: two checkouts (or two test JVMs) wait for the first instead of racing
  exec 9>"$D/build.lock"
  if ! flock -n 9; then
    log "another build holds $D/build.lock; waiting for it"
    flock 9
    if is_built; then paths; return 0; fi
  fi
  local go t0 out=$D/bin.tmp
  go=$(go_cmd)
  if [ ! -f "$SRC/go.mod" ]; then
    rm -rf "$D/src" && mkdir -p "$D/src.tmp"
    tar -xJf "$TARBALL" -C "$D/src.tmp" || die "cannot unpack $TARBALL"
    [ -f "$D/src.tmp/volcano/go.mod" ] || die "$TARBALL holds no volcano/go.mod"
    mv "$D/src.tmp" "$D/src"
  fi
  rm -rf "$out" && mkdir -p "$out"
  log "building vc-scheduler and vc-controller-manager from $SRC (Go module proxy; about 4 min on 2 cores the"\
    "first time; log: $D/build.log)"
  t0=$(date +%s)
  # -mod=readonly: go.sum pins every module; -modcacherw: the cache can be deleted with rm -rf; nice: the machine
  # is shared with other builds
  (cd "$SRC" && env GOMODCACHE="$GO_DIR/mod" GOCACHE="$GO_DIR/build" GOFLAGS="-mod=readonly -modcacherw" \
    GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOPATH="$GO_DIR/path" nice -n 10 "$go" build -trimpath -ldflags "-s -w" \
    -o "$out/" ./cmd/scheduler ./cmd/controller-manager) >"$D/build.log" 2>&1 \
    || { tail -20 "$D/build.log" >&2; die "build failed; full log: $D/build.log"; }
  # go build names them after their directories
  mv "$out/scheduler" "$out/vc-scheduler" 2>/dev/null || true
  mv "$out/controller-manager" "$out/vc-controller-manager" 2>/dev/null || true
  [ -x "$out/vc-scheduler" ] && [ -x "$out/vc-controller-manager" ] \
    || die "build finished without both binaries; see $D/build.log"
  rm -rf "$BIN" && mv "$out" "$BIN"
  log "built $BIN/vc-scheduler and $BIN/vc-controller-manager in $(( $(date +%s) - t0 )) s"
  paths
}

status() {
  if is_built; then echo "build: $BIN (vc-scheduler, vc-controller-manager)"; paths; else echo "build: missing; run: $0 build"; return 3; fi
}

case "${1:-}" in
  build) build ;;
  paths) is_built || die "not built in $BIN; run: $0 build"; paths ;;
  status) status ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
