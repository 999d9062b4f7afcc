#!/usr/bin/env bash
# A real Kubernetes API server (and optionally one kubelet) on loopback, for tests, without a container engine,
# kind or network downloads beyond Debian's package archive:
#   etcd 3.4 (Debian etcd-server) + kube-apiserver and kubelet v1.20.2 built from Debian's `kubernetes` source
#   package (full source with vendor/) + containerd (Debian) as the kubelet's CRI runtime.
#
#   scripts/k8s-local.sh build               build kube-apiserver + kubelet once (4-5 min on 2 cores), cached
#   scripts/k8s-local.sh up-apiserver        start etcd + kube-apiserver (builds first if needed); idempotent
#   scripts/k8s-local.sh up [NODE]           up-apiserver, plus containerd and one kubelet named NODE
#                                            (default gpu-node-1); the kubelet uses /var/lib/kubelet/device-plugins
#   scripts/k8s-local.sh down                stop what this script started for this port, remove etcd data
#   scripts/k8s-local.sh down-kubelet        stop only the kubelet and containerd
#   scripts/k8s-local.sh kubeconfig          write and print the kubeconfig path (token auth, TLS unverified)
#   scripts/k8s-local.sh status              build state, processes, readiness (exit 0 when the API server is ready)
#
# up-apiserver / up print machine-readable lines on stdout (`KUBECONFIG=<path>`, `STARTED=yes|no`); progress and
# errors go to stderr.
#
# Environment (defaults in brackets):
#   K8S_LOCAL_DIR         build cache: sources and binaries [~/.cache/k8s-local]
#   K8S_LOCAL_PORT        kube-apiserver secure port on 127.0.0.1 [17443]
#   K8S_LOCAL_ETCD_PORT   etcd client port; the peer port is this + 1 [17379]
#   K8S_LOCAL_TOKEN       bearer token of the admin user [volcano-vgpu-local-token]
#   K8S_LOCAL_STATE       run state: pids, logs, certs, kubeconfig, etcd data [${TMPDIR:-/tmp}/volcano-vgpu-k8s-$PORT]
#   K8S_LOCAL_NO_BUILD    1: never build; fail with a message when the binaries are missing
#   K8S_LOCAL_KUBELET_PORT, K8S_LOCAL_KUBELET_HEALTHZ_PORT   kubelet ports [20250, 20248]
#
# Installing Debian packages (apt-get) needs root and Debian bookworm sources; everything else runs as any user.
set -euo pipefail

D=${K8S_LOCAL_DIR:-$HOME/.cache/k8s-local}
K8S_VERSION=1.20.2
SRC=$D/src/kubernetes-$K8S_VERSION
BIN=$SRC/_output/bin
PORT=${K8S_LOCAL_PORT:-17443}
ETCD_PORT=${K8S_LOCAL_ETCD_PORT:-17379}
TOKEN=${K8S_LOCAL_TOKEN:-volcano-vgpu-local-token}
S=${K8S_LOCAL_STATE:-${TMPDIR:-/tmp}/volcano-vgpu-k8s-$PORT}
KUBELET_PORT=${K8S_LOCAL_KUBELET_PORT:-20250}
case $S in /*) ;; *) S=$PWD/$S ;; esac
KUBELET_HEALTHZ_PORT=${K8S_LOCAL_KUBELET_HEALTHZ_PORT:-20248}

log() { echo "k8s-local: $*" >&2; }
die() { echo "k8s-local: error: $*" >&2; exit 1; }

# Installs missing Debian packages; needs root.
need_pkgs() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 \
    || die "missing packages ${missing[*]}, and no apt-get here (this script needs Debian bookworm)"
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

is_built() { [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kubelet" ]; }

build() {
  is_built && return 0
  [ "${K8S_LOCAL_NO_BUILD:-0}" = 1 ] \
    && die "kube-apiserver $K8S_VERSION is not built in $D (K8S_LOCAL_NO_BUILD=1); run: scripts/k8s-local.sh build"
  mkdir -p "$D"
  exec 9>"$D/build.lock"
  if ! flock -n 9; then
    log "another build holds $D/build.lock; waiting for it"
    flock 9
    is_built && return 0
  fi
  need_pkgs golang-go rsync jq make golang-github-modern-go-reflect2-dev
  if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    [ "$(id -u)" -eq 0 ] || die "apt-get source needs a deb-src entry for bookworm; run once as root to add it"
    log "adding a deb-src entry for Debian bookworm"
    cat > /etc/apt/sources.list.d/debian-src.sources <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    apt-get update -qq >/dev/null || die "apt-get update failed after adding deb-src"
  fi
  mkdir -p "$D/src"
  if [ ! -d "$SRC" ]; then
    log "downloading Debian's kubernetes source package"
    (cd "$D/src" && apt-get source --download-only -qq kubernetes >/dev/null 2>&1) \
      || die "apt-get source kubernetes failed (is deb.debian.org reachable?)"
    local tarball
    tarball=$(ls "$D"/src/kubernetes_*.orig.tar.gz 2>/dev/null | head -1)
    [ -n "$tarball" ] || die "no kubernetes_*.orig.tar.gz in $D/src after apt-get source"
    (cd "$D/src" && tar xzf "$tarball") || die "cannot unpack $tarball"
    [ -d "$SRC" ] || die "$tarball did not unpack to $SRC (Debian's package no longer carries $K8S_VERSION?)"
  fi
  cd "$SRC"
  # k8s 1.20 vendors reflect2 1.0.1, whose map decoding panics under Go >= 1.18; Debian ships 1.0.2.
  local r2=/usr/share/gocode/src/github.com/modern-go/reflect2
  rm -f vendor/github.com/modern-go/reflect2/*.go vendor/github.com/modern-go/reflect2/*.s
  cp "$r2"/*.go "$r2"/*.s vendor/github.com/modern-go/reflect2/
  rm -f vendor/github.com/modern-go/reflect2/*_test.go
  mkdir -p .go/src/k8s.io && ln -sfn ../../.. .go/src/k8s.io/kubernetes
  log "compiling kube-apiserver and kubelet $K8S_VERSION (4-5 min on 2 cores; log: $D/build.log)"
  # Debian's Go 1.19 (as Debian builds this package), even where a newer Go comes first on PATH
  env PATH="/usr/lib/go/bin:$PATH" GOTOOLCHAIN=local GOPROXY=off GOPATH="$SRC/.go" \
    CGO_ENABLED=0 HOME="$D/home" GOCACHE="$D/gocache" make WHAT="cmd/kube-apiserver cmd/kubelet" >"$D/build.log" 2>&1 \
    || { tail -20 "$D/build.log" >&2; die "build failed; full log: $D/build.log"; }
  is_built || die "build finished but $BIN/kube-apiserver or kubelet is missing; see $D/build.log"
  log "built $BIN/kube-apiserver and $BIN/kubelet"
}

write_kubeconfig() {
  mkdir -p "$S"
  cat > "$S/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:$PORT", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: $TOKEN}
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
KC
  echo "$S/kubeconfig"
}

alive() { [ -f "$S/$1.pid" ] && kill -0 "$(cat "$S/$1.pid")" 2>/dev/null; }

ready() {
  curl -sk --max-time 2 -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/readyz" 2>/dev/null | grep -q '^ok'
}

start() { # name, command...
  local name=$1; shift
  setsid "$@" >"$S/$name.log" 2>&1 < /dev/null 8>&- 9>&- &
  echo $! > "$S/$name.pid"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the tail of a component's log and fails.
failed() { # name, message
  [ -f "$S/$1.log" ] && { echo "--- last lines of $S/$1.log:" >&2; tail -15 "$S/$1.log" >&2; }
  die "$2"
}

up_apiserver() {
  # one starter at a time per state dir (two test JVMs may start together)
  mkdir -p "$S"
  exec 8>"$S/up.lock"
  flock 8
  if alive etcd && alive apiserver && ready; then
    log "kube-apiserver already running on https://127.0.0.1:$PORT"
    echo "KUBECONFIG=$(write_kubeconfig)"
    echo "STARTED=no"
    return 0
  fi
  build
  need_pkgs etcd-server curl openssl
  stop_all
  local p
  for p in "$PORT" "$ETCD_PORT" "$((ETCD_PORT + 1))"; do
    port_busy "$p" && die "port $p on 127.0.0.1 is in use by another process; choose others with K8S_LOCAL_PORT / K8S_LOCAL_ETCD_PORT"
  done
  mkdir -p "$S"
  [ -f "$S/sa.key" ] || openssl genrsa -out "$S/sa.key" 2048 2>/dev/null || die "openssl genrsa failed"
  echo "$TOKEN,admin,1,\"system:masters\"" > "$S/tokens.csv"
  rm -rf "$S/etcd"
  log "starting etcd on 127.0.0.1:$ETCD_PORT and kube-apiserver on https://127.0.0.1:$PORT (state: $S)"
  start etcd etcd --data-dir "$S/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "default=http://127.0.0.1:$((ETCD_PORT + 1))"
  start apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --secure-port "$PORT" --bind-address 127.0.0.1 --cert-dir "$S/certs" --token-auth-file "$S/tokens.csv" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$S/sa.key" \
    --service-account-signing-key-file "$S/sa.key" --authorization-mode AlwaysAllow \
    --disable-admission-plugins ServiceAccount --service-cluster-ip-range 10.0.0.0/24
  local i
  for i in $(seq 1 120); do
    ready && break
    alive etcd || failed etcd "etcd exited during startup"
    alive apiserver || failed apiserver "kube-apiserver exited during startup"
    sleep 0.5
  done
  ready || failed apiserver "kube-apiserver not ready after 60 s on https://127.0.0.1:$PORT/readyz"
  log "kube-apiserver ready after about $((i / 2)) s"
  echo "KUBECONFIG=$(write_kubeconfig)"
  echo "STARTED=yes"
}

up() {
  local node=${1:-gpu-node-1} out
  out=$(up_apiserver)
  echo "$out"
  if alive containerd && alive kubelet; then
    if [ "$(cat "$S/kubelet.node" 2>/dev/null)" = "$node" ]; then
      log "containerd and kubelet already running for node $node"
      return 0
    fi
    log "kubelet is running for node $(cat "$S/kubelet.node" 2>/dev/null || echo '?'), restarting it for $node"
    down_kubelet
  fi
  need_pkgs containerd runc
  for n in kubelet containerd; do stop_one "$n"; done
  containerd config default > "$S/containerd.toml"
  sed -i "s#/var/lib/containerd#$S/containerd-root#; s#/run/containerd#$S/containerd-state#" "$S/containerd.toml"
  sed -i "s#address = \"$S/containerd-state/containerd.sock\"#address = \"$S/containerd.sock\"#" "$S/containerd.toml"
  start containerd containerd --config "$S/containerd.toml"
  for _ in $(seq 1 60); do [ -S "$S/containerd.sock" ] && break; alive containerd || break; sleep 0.5; done
  [ -S "$S/containerd.sock" ] || failed containerd "containerd did not create $S/containerd.sock"
  start kubelet "$BIN/kubelet" --kubeconfig="$S/kubeconfig" --container-runtime=remote \
    --container-runtime-endpoint="unix://$S/containerd.sock" --root-dir="$S/kubelet" --cert-dir="$S/kubelet-pki" \
    --fail-swap-on=false --cgroups-per-qos=false --enforce-node-allocatable= --cgroup-driver=cgroupfs \
    --hostname-override="$node" --port="$KUBELET_PORT" --read-only-port=0 --healthz-port="$KUBELET_HEALTHZ_PORT" \
    --anonymous-auth=true --authorization-mode=AlwaysAllow --authentication-token-webhook=false \
    --volume-plugin-dir="$S/volplugins"
  echo "$node" > "$S/kubelet.node"
  for _ in $(seq 1 120); do
    curl -sk --max-time 2 -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/api/v1/nodes/$node" \
      -o /dev/null -w '%{http_code}' 2>/dev/null | grep -q 200 && break
    alive kubelet || failed kubelet "kubelet exited during startup"
    sleep 0.5
  done
  curl -sk --max-time 2 -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/api/v1/nodes/$node" \
    -o /dev/null -w '%{http_code}' 2>/dev/null | grep -q 200 || failed kubelet "node $node did not register in 60 s"
  log "kubelet registered node $node"
}

stop_one() {
  local name=$1 pid
  [ -f "$S/$name.pid" ] || return 0
  pid=$(cat "$S/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$S/$name.pid"
}

stop_all() {
  local n
  for n in kubelet containerd apiserver etcd; do stop_one "$n"; done
  # the kubelet bind-mounts its root dir onto itself; undo that so the state dir can be removed
  if [ -d "$S" ]; then
    mount | awk -v d="$S/" 'index($3, d) == 1 {print $3}' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  fi
}

# Stops the kubelet and containerd, keeps the API server (tests that need a kubelet only for a while).
down_kubelet() {
  local n
  for n in kubelet containerd; do stop_one "$n"; done
  if [ -d "$S/kubelet" ]; then
    mount | awk -v d="$S/kubelet" 'index($3, d) == 1 {print $3}' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  fi
  log "kubelet and containerd stopped"
}

down() {
  stop_all
  rm -rf "$S/etcd"
  log "stopped (state dir $S)"
}

status() {
  local rc=0 n
  if is_built; then echo "build: $BIN (kube-apiserver, kubelet $K8S_VERSION)"; else echo "build: missing; run: $0 build"; fi
  for n in etcd apiserver containerd kubelet; do
    if alive "$n"; then echo "$n: running (pid $(cat "$S/$n.pid"))"; else echo "$n: stopped"; fi
  done
  if ready; then echo "readyz: ok (https://127.0.0.1:$PORT)"; else echo "readyz: not ready (https://127.0.0.1:$PORT)"; rc=3; fi
  echo "state: $S"
  return $rc
}

case "${1:-}" in
  build) build ;;
  up-apiserver) up_apiserver ;;
  up) shift; up "$@" ;;
  down) down ;;
  down-kubelet) down_kubelet ;;
  kubeconfig) write_kubeconfig ;;
  status) status ;;
  *) sed -n '2,27p' "$0" >&2; exit 2 ;;
esac
