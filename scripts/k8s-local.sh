#!/usr/bin/env bash
# A real Kubernetes API server (and optionally one kubelet) on loopback, for tests, without a container engine or
# kind: etcd 3.4 (Debian etcd-server) + kube-apiserver and kubelet, built from the published k8s.io/kubernetes Go
# module (version and every dependency pinned by the wrapper module in scripts/k8s-local/: go.mod + go.sum; modules
# come from the Go module proxy) + containerd and runc (Debian) as the kubelet's CRI runtime.
#
#   scripts/k8s-local.sh build               build kube-apiserver + kubelet once (about 10 min on 2 cores), cached
#   scripts/k8s-local.sh up-apiserver        start etcd + kube-apiserver (builds first if needed); idempotent
#   scripts/k8s-local.sh up [NODE]           up-apiserver, plus containerd and one kubelet named NODE
#                                            (default gpu-node-1); the kubelet uses /var/lib/kubelet/device-plugins
#                                            (hard-coded: one kubelet per machine) and runs real containers: image
#                                            localhost/busybox:1 (Debian's static busybox, imported without a
#                                            registry; imagePullPolicy: Never), pod network on bridge k8sl<PORT>
#   scripts/k8s-local.sh import ARCHIVE...   import OCI/Docker image archives into the running kubelet's containerd
#                                            (namespace k8s.io; e.g. target/images/*.tar of scripts/build-images.sh);
#                                            `up` starts containerd afresh, so import after it
#   scripts/k8s-local.sh down                stop what this script started for this port, remove etcd data
#   scripts/k8s-local.sh down-kubelet        stop only the kubelet and containerd
#   scripts/k8s-local.sh kubeconfig          write and print the kubeconfig path (token auth, TLS unverified)
#   scripts/k8s-local.sh status              build state, processes, readiness (exit 0 when the API server is ready)
#
# Packages it installs when missing (Debian): etcd-server curl openssl; for `up` also containerd runc jq
# containernetworking-plugins busybox-static.
#
# up-apiserver / up print machine-readable lines on stdout (`KUBECONFIG=<path>`, `STARTED=yes|no`); progress and
# errors go to stderr.
#
# Environment (defaults in brackets):
#   K8S_LOCAL_DIR         build cache: binaries (in v<version>/bin), Go module and build caches (go/) [~/.cache/k8s-local]
#   K8S_LOCAL_PORT        kube-apiserver secure port on 127.0.0.1 [17443]
#   K8S_LOCAL_ETCD_PORT   etcd client port; the peer port is this + 1 [17379]
#   K8S_LOCAL_TOKEN       bearer token of the admin user (group system:masters; the API server authorizes by
#                         Node,RBAC as real clusters do, so ServiceAccount tokens get only what RBAC grants)
#                         [volcano-vgpu-local-token]
#   K8S_LOCAL_STATE       run state: pids, logs, certs, kubeconfig, etcd data [${TMPDIR:-/tmp}/volcano-vgpu-k8s-$PORT]
#   K8S_LOCAL_NO_BUILD    1: never build; fail with a message when the binaries are missing
#   K8S_LOCAL_KUBELET_PORT, K8S_LOCAL_KUBELET_HEALTHZ_PORT   kubelet ports [20250, 20248]
#   K8S_LOCAL_KEEP_LOGS   a directory: down-kubelet copies the kubelet's and containerd's logs there, per node []
#   K8S_LOCAL_CONTAINERD  debian: Debian's containerd 1.6 (ignores CRI CDI devices) [debian]; cdi: containerd 1.7 built
#                         by scripts/containerd-cdi.sh (cached; about 4-6 min the first time) with its CRI plugin's
#                         enable_cdi = true, specs read from K8S_LOCAL_CDI_DIR [$K8S_LOCAL_STATE/cdi]
#
# Building needs Go >= 1.21 on PATH (the go command fetches the Go release the wrapper's go.mod names, when it is newer).
# Installing Debian packages (apt-get) needs root and Debian bookworm; so does the kubelet; the API server runs as
# any user.
set -euo pipefail

D=${K8S_LOCAL_DIR:-$HOME/.cache/k8s-local}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WRAP=$HERE/k8s-local   # the wrapper Go module that pins k8s.io/kubernetes and its published staging modules
K8S_VERSION=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {sub(/^v/, "", $3); print $3}' "$WRAP/go.mod")
[ -n "$K8S_VERSION" ] || { echo "k8s-local: error: no 'require k8s.io/kubernetes vX' in $WRAP/go.mod" >&2; exit 1; }
BIN=$D/v$K8S_VERSION/bin
PORT=${K8S_LOCAL_PORT:-17443}
ETCD_PORT=${K8S_LOCAL_ETCD_PORT:-17379}
TOKEN=${K8S_LOCAL_TOKEN:-volcano-vgpu-local-token}
S=${K8S_LOCAL_STATE:-${TMPDIR:-/tmp}/volcano-vgpu-k8s-$PORT}
KUBELET_PORT=${K8S_LOCAL_KUBELET_PORT:-20250}
case $S in /*) ;; *) S=$PWD/$S ;; esac
KUBELET_HEALTHZ_PORT=${K8S_LOCAL_KUBELET_HEALTHZ_PORT:-20248}
CONTAINERD_KIND=${K8S_LOCAL_CONTAINERD:-debian}
CDI_DIR=${K8S_LOCAL_CDI_DIR:-$S/cdi}
CONTAINERD=containerd  # the binary; its directory goes first on containerd's PATH (its runc shim)
PAUSE_IMAGE=localhost/pause:1         # both are Debian's static busybox (make-image.sh); names under localhost/ stay
WORKLOAD_IMAGE=localhost/busybox:1    # as they are under CRI name normalisation

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

# The go command: >= 1.21 reads the wrapper's `go` line and, when it is older than that, fetches the toolchain the
# line names from the Go module proxy itself (GOTOOLCHAIN=auto).
go_cmd() {
  local go v
  go=$(command -v go || true)
  [ -n "$go" ] || die "no 'go' on PATH; building Kubernetes $K8S_VERSION needs Go >= 1.21 (it fetches the Go its module names)"
  v=$("$go" env GOVERSION 2>/dev/null || true)
  case $v in
    go1.2[1-9]*|go1.[3-9][0-9]*|go[2-9]*) echo "$go" ;;
    *) die "$go is ${v:-too old}; building Kubernetes $K8S_VERSION needs Go >= 1.21" ;;
  esac
}

# Builds kube-apiserver and kubelet from the published k8s.io/kubernetes module through the wrapper module in
# scripts/k8s-local/ (go.mod + go.sum pin every module; nothing is resolved anew). Binaries, the Go module cache and
# the Go build cache all live under $D, the binaries keyed by version.
build() {
  is_built && return 0
  [ "${K8S_LOCAL_NO_BUILD:-0}" = 1 ] \
    && die "kube-apiserver/kubelet $K8S_VERSION are not built in $BIN (K8S_LOCAL_NO_BUILD=1); run: scripts/k8s-local.sh build"
  mkdir -p "$D"
  exec 9>"$D/build.lock"
  if ! flock -n 9; then
    log "another build holds $D/build.lock; waiting for it"
    flock 9
    is_built && return 0
  fi
  local go t0 out=$D/v$K8S_VERSION/bin.tmp
  go=$(go_cmd)
  rm -rf "$out" && mkdir -p "$out"
  local V=k8s.io/component-base/version maj=${K8S_VERSION%%.*} min=${K8S_VERSION#*.}
  min=${min%%.*}
  local ld="-s -w -X $V.gitVersion=v$K8S_VERSION -X $V.gitMajor=$maj -X $V.gitMinor=$min -X $V.gitTreeState=clean"
  log "building kube-apiserver and kubelet $K8S_VERSION from the k8s.io/kubernetes module (Go module proxy;"\
    "about 10 min on 2 cores the first time; log: $D/build.log)"
  t0=$(date +%s)
  # -mod=readonly: go.sum must already hold every module (no resolution at build time); -modcacherw: the cache
  # can be deleted with rm -rf
  (cd "$WRAP" && env GOMODCACHE="$D/go/mod" GOCACHE="$D/go/build" GOFLAGS="-mod=readonly -modcacherw" \
    GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOPATH="$D/go/path" nice -n 10 "$go" build -trimpath -ldflags "$ld" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubelet) >"$D/build.log" 2>&1 \
    || { tail -20 "$D/build.log" >&2; die "build failed; full log: $D/build.log"; }
  [ -x "$out/kube-apiserver" ] && [ -x "$out/kubelet" ] || die "build finished without both binaries; see $D/build.log"
  rm -rf "$BIN" && mv "$out" "$BIN"
  log "built $BIN/kube-apiserver and $BIN/kubelet v$K8S_VERSION in $(( $(date +%s) - t0 )) s"
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
  # --allow-privileged: as kubeadm and every managed cluster set it; the chart's device plugin is privileged (NVML)
  log "starting etcd on 127.0.0.1:$ETCD_PORT and kube-apiserver on https://127.0.0.1:$PORT (state: $S)"
  start etcd etcd --data-dir "$S/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "default=http://127.0.0.1:$((ETCD_PORT + 1))"
  start apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --secure-port "$PORT" --bind-address 127.0.0.1 --cert-dir "$S/certs" --token-auth-file "$S/tokens.csv" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$S/sa.key" \
    --service-account-signing-key-file "$S/sa.key" --authorization-mode Node,RBAC \
    --disable-admission-plugins ServiceAccount --service-cluster-ip-range 10.0.0.0/24 \
    --kubelet-preferred-address-types InternalIP --allow-privileged=true
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

# containerd's config: `containerd config default` with its root, state and socket under $S (a system containerd is
# left alone) and restrict_oom_score_adj = true: this VM drops CAP_SYS_RESOURCE from every process, so runc cannot
# lower a sandbox's oom_score_adj to the -998 the CRI plugin asks for ("can't get final child's PID from pipe: EOF");
# clamped, every container keeps containerd's own score.
write_containerd_config() {
  "$CONTAINERD" config default > "$S/containerd.toml"
  sed -i -e "s#^root = .*#root = \"$S/containerd-root\"#" -e "s#^state = .*#state = \"$S/containerd-state\"#" \
    -e "s#address = \"/run/containerd/containerd.sock\"#address = \"$S/containerd.sock\"#" \
    -e "s#restrict_oom_score_adj = false#restrict_oom_score_adj = true#" \
    -e "s#sandbox_image = .*#sandbox_image = \"$PAUSE_IMAGE\"#" \
    -e "s#bin_dir = \"/opt/cni/bin\"#bin_dir = \"/usr/lib/cni\"#" \
    -e "s#conf_dir = \"/etc/cni/net.d\"#conf_dir = \"$S/cni-net.d\"#" "$S/containerd.toml"
  local want
  for want in "restrict_oom_score_adj = true" "address = \"$S/containerd.sock\"" "sandbox_image = \"$PAUSE_IMAGE\"" \
    "bin_dir = \"/usr/lib/cni\"" "conf_dir = \"$S/cni-net.d\""; do
    grep -qF "$want" "$S/containerd.toml" || die "unexpected 'containerd config default' output: cannot set $want"
  done
  if [ "$CONTAINERD_KIND" = cdi ]; then
    mkdir -p "$CDI_DIR"
    sed -i -e "s#enable_cdi = false#enable_cdi = true#" -e "s#cdi_spec_dirs = .*#cdi_spec_dirs = [\"$CDI_DIR\"]#" \
      "$S/containerd.toml"
    grep -qF "enable_cdi = true" "$S/containerd.toml" && grep -qF "cdi_spec_dirs = [\"$CDI_DIR\"]" "$S/containerd.toml" \
      || die "unexpected 'containerd config default' output of $CONTAINERD: cannot enable CDI"
  fi
  # pod network: Debian's CNI plugins, a bridge and a /16 of this state dir's own (two trees' kubelets may run side
  # by side on one machine, each with its containerd); containerd brings up lo itself
  local net=$(( $(echo "$S" | cksum | cut -d' ' -f1) % 200 + 20 ))
  mkdir -p "$S/cni-net.d"
  cat > "$S/cni-net.d/10-k8s-local.conflist" <<CNI
{"cniVersion": "0.4.0", "name": "k8s-local", "plugins": [{"type": "bridge", "bridge": "k8sl$PORT", "isGateway": true,
 "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.$net.0.0/16"}]],
 "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$S/cni-ipam"}}]}
CNI
}

# The images pods run, without a registry: Debian's static busybox as one OCI image under two names (scripts/
# k8s-local/make-image.sh), the sandbox's pause image and a workload image; pods use imagePullPolicy: Never.
import_images() {
  [ -s "$S/images.tar" ] || bash "$WRAP/make-image.sh" "$S/images.tar" "$PAUSE_IMAGE" "$WORKLOAD_IMAGE" \
    || die "cannot build the images (scripts/k8s-local/make-image.sh)"
  timeout 60 ctr -a "$S/containerd.sock" -n k8s.io images import "$S/images.tar" >/dev/null \
    || die "ctr images import $S/images.tar failed"
}

# Images built by the project (scripts/build-images.sh, make-probe-image.sh) into the kubelet's containerd.
import_archives() {
  [ $# -gt 0 ] || die "import: name at least one image archive"
  alive containerd && [ -S "$S/containerd.sock" ] || die "import: containerd is not running for $S (run: $0 up)"
  local a
  for a in "$@"; do
    [ -f "$a" ] || die "import: no file $a"
    timeout 300 ctr -a "$S/containerd.sock" -n k8s.io images import "$a" >&2 || die "ctr images import $a failed"
  done
}

# KubeletConfiguration for a loopback test node: cgroupfs (containerd 1.6 lacks the CRI RuntimeConfig call), no QoS
# cgroups, cgroup v1 allowed (1.35+ refuses it by default), token-less auth for the API server's pods/log calls, and
# eviction thresholds low enough that a full test disk does not refuse pods.
write_kubelet_config() {
  cat > "$S/kubelet-config.yaml" <<KCFG
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
containerRuntimeEndpoint: unix://$S/containerd.sock
port: $KUBELET_PORT
readOnlyPort: 0
healthzPort: $KUBELET_HEALTHZ_PORT
healthzBindAddress: 127.0.0.1
address: 0.0.0.0
authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
volumePluginDir: $S/volplugins
podLogsDir: $S/pod-logs
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
KCFG
}

node_code() { # HTTP status of GET /api/v1/nodes/NODE
  curl -sk --max-time 2 -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/api/v1/nodes/$1" \
    -o /dev/null -w '%{http_code}' 2>/dev/null || true
}

up() {
  local node=${1:-gpu-node-1} out was_running=0
  out=$(up_apiserver)
  echo "$out"
  if alive containerd && alive kubelet; then
    was_running=1
    if [ "$(cat "$S/kubelet.node" 2>/dev/null)" = "$node" ] \
        && [ "$(cat "$S/containerd.kind" 2>/dev/null)" = "$CONTAINERD_KIND" ]; then
      log "containerd and kubelet already running for node $node"
      return 0
    fi
    log "kubelet is running for node $(cat "$S/kubelet.node" 2>/dev/null || echo '?'), restarting it for $node"
  fi
  need_pkgs containerd runc jq containernetworking-plugins busybox-static
  local cpath=$PATH
  case $CONTAINERD_KIND in
    debian) CONTAINERD=containerd ;;
    cdi) cpath=$(bash "$HERE/containerd-cdi.sh" build) || die "cannot build containerd for CDI (scripts/containerd-cdi.sh)"
         CONTAINERD=$cpath/containerd; cpath=$cpath:$PATH ;;
    *) die "K8S_LOCAL_CONTAINERD must be debian or cdi, not $CONTAINERD_KIND" ;;
  esac
  stop_runtime
  [ $was_running = 0 ] || keep_logs
  # fresh runtime and pod network; the kubelet's root dir stays
  rm -rf "$S/containerd-root" "$S/containerd-state" "$S/kubelet-pki" "$S/cni-ipam"
  write_containerd_config
  start containerd env PATH="$cpath" "$CONTAINERD" --config "$S/containerd.toml"
  echo "$CONTAINERD_KIND" > "$S/containerd.kind"
  for _ in $(seq 1 60); do [ -S "$S/containerd.sock" ] && break; alive containerd || break; sleep 0.5; done
  [ -S "$S/containerd.sock" ] || failed containerd "containerd did not create $S/containerd.sock"
  import_images
  write_kubelet_config
  start kubelet "$BIN/kubelet" --config="$S/kubelet-config.yaml" --kubeconfig="$S/kubeconfig" \
    --root-dir="$S/kubelet" --cert-dir="$S/kubelet-pki" --hostname-override="$node"
  echo "$node" > "$S/kubelet.node"
  for _ in $(seq 1 120); do
    [ "$(node_code "$node")" = 200 ] && break
    alive kubelet || failed kubelet "kubelet exited during startup"
    sleep 0.5
  done
  [ "$(node_code "$node")" = 200 ] || failed kubelet "node $node did not register in 60 s"
  log "kubelet $K8S_VERSION registered node $node"
}

# Stops the kubelet, then every container of this containerd (tasks killed, pod network namespaces removed), then
# containerd and the shims it leaves behind, and unmounts what the kubelet mounted under $S.
stop_runtime() {
  local ctr=(timeout 10 ctr -a "$S/containerd.sock" -n k8s.io) netns=() c t p
  stop_one kubelet
  if alive containerd; then
    for c in $("${ctr[@]}" containers ls -q 2>/dev/null); do
      p=$("${ctr[@]}" containers info "$c" 2>/dev/null \
        | jq -r '.Spec.linux.namespaces[]? | select(.type == "network") | .path // empty' 2>/dev/null || true)
      case $p in /run/netns/*|/var/run/netns/*) netns+=("$p") ;; esac
    done
    for t in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks kill -s KILL "$t" >/dev/null 2>&1 || true; done
    for t in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks rm -f "$t" >/dev/null 2>&1 || true; done
  fi
  stop_one containerd
  # shims outlive containerd; these are the ones started for this state dir's socket
  for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $S/containerd.sock" || true); do kill -9 "$p" 2>/dev/null || true; done
  for p in "${netns[@]}"; do umount "$p" 2>/dev/null || true; rm -f "$p"; done
  if [ -d "$S" ]; then
    mount | awk -v d="$S/" 'index($3, d) == 1 {print $3}' | sort -r | xargs -r -n1 umount 2>/dev/null || true
  fi
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
  stop_runtime
  for n in apiserver etcd; do stop_one "$n"; done
  ip link delete "k8sl$PORT" >/dev/null 2>&1 || true # the pod network's bridge
}

# Stops the kubelet and containerd (and their containers), keeps the API server (tests that need a kubelet only for a
# while, or restart it).
down_kubelet() {
  stop_runtime
  keep_logs
  log "kubelet and containerd stopped"
}

# With K8S_LOCAL_KEEP_LOGS=DIR, the logs of the kubelet that just stopped go to DIR/<node>.kubelet.log and
# DIR/<node>.containerd.log (the next `up` starts them afresh), so a test run keeps one pair per node it started.
keep_logs() {
  [ -n "${K8S_LOCAL_KEEP_LOGS:-}" ] || return 0
  local node f
  node=$(cat "$S/kubelet.node" 2>/dev/null || echo unknown)
  node=${node%%[[:space:]]*}
  mkdir -p "$K8S_LOCAL_KEEP_LOGS"
  for f in kubelet containerd; do
    [ -f "$S/$f.log" ] && cp -f "$S/$f.log" "$K8S_LOCAL_KEEP_LOGS/$node.$f.log"
  done
  return 0
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
  import) shift; import_archives "$@" ;;
  kubeconfig) write_kubeconfig ;;
  status) status ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
