#!/usr/bin/env bash
# containerd 1.7 for the CDI hop: Debian bookworm's containerd 1.6 ignores the CDI devices the kubelet passes in CRI
# (CreateContainerRequest.config.CDI_devices, from the device plugin's Allocate cdi_devices); 1.7 applies them when
# its CRI plugin has enable_cdi = true. Built from the published github.com/containerd/containerd module (version and
# every dependency pinned by the wrapper module in scripts/containerd-cdi/: go.mod + go.sum; modules from the Go
# module proxy), cached like scripts/k8s-local.sh caches Kubernetes.
#
#   scripts/containerd-cdi.sh build    build containerd and containerd-shim-runc-v2 once, print the bin directory
#   scripts/containerd-cdi.sh bin      print the bin directory (exit 1 when not built)
#
# Environment: CONTAINERD_CDI_DIR [~/.cache/containerd-cdi]: binaries in v<version>/bin, Go module and build caches
# in go/. Needs Go >= 1.21 (it fetches the Go release the wrapper's go.mod names) and a C compiler (cgo).
# scripts/k8s-local.sh uses it with K8S_LOCAL_CONTAINERD=cdi.
set -euo pipefail
D=${CONTAINERD_CDI_DIR:-$HOME/.cache/containerd-cdi}
WRAP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containerd-cdi
VERSION=$(awk '$1 == "github.com/containerd/containerd" {sub(/^v/, "", $2); print $2}' "$WRAP/go.mod")
[ -n "$VERSION" ] || { echo "containerd-cdi: error: no github.com/containerd/containerd in $WRAP/go.mod" >&2; exit 1; }
BIN=$D/v$VERSION/bin

log() { echo "containerd-cdi: $*" >&2; }
die() { echo "containerd-cdi: error: $*" >&2; exit 1; }
is_built() { [ -x "$BIN/containerd" ] && [ -x "$BIN/containerd-shim-runc-v2" ]; }

build() {
  is_built && { echo "$BIN"; return 0; }
  command -v go >/dev/null || die "no 'go' on PATH; building containerd $VERSION needs Go >= 1.21"
  mkdir -p "$D"
  exec 9>"$D/build.lock"
  flock 9
  is_built && { echo "$BIN"; return 0; }
  local out=$D/v$VERSION/bin.tmp t0 pkg=github.com/containerd/containerd
  rm -rf "$out" && mkdir -p "$out"
  log "building containerd $VERSION and its runc shim from the $pkg module (log: $D/build.log)"
  t0=$(date +%s)
  # no_btrfs: no btrfs headers needed (the overlayfs snapshotter is what the CRI plugin uses here)
  (cd "$WRAP" && env GOMODCACHE="$D/go/mod" GOCACHE="$D/go/build" GOFLAGS="-mod=readonly -modcacherw" \
    GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOPATH="$D/go/path" nice -n 10 go build -trimpath -tags no_btrfs \
    -ldflags "-s -w -X $pkg/version.Version=v$VERSION" -o "$out/" \
    "$pkg/cmd/containerd" "$pkg/cmd/containerd-shim-runc-v2") >"$D/build.log" 2>&1 \
    || { tail -20 "$D/build.log" >&2; die "build failed; full log: $D/build.log"; }
  rm -rf "$BIN" && mv "$out" "$BIN"
  log "built $BIN/containerd and containerd-shim-runc-v2 $VERSION in $(( $(date +%s) - t0 )) s"
  echo "$BIN"
}

case "${1:-}" in
  build) build ;;
  bin) is_built || exit 1; echo "$BIN" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
