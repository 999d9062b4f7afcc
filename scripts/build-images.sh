#!/usr/bin/env bash
# Builds the project's two container images as image archives, with no container engine, no daemon and no
# registry other than Debian's package archive:
#
#   ghcr.io/volcano-vgpu/volcano-vgpu:<version>   the Java components: sidecar (bridge, with the webhook), device
#       plugin, MIG manager; entry point /usr/local/bin/volcano-vgpu <subcommand> (the launcher's subcommands);
#       a jlinked JRE (with its CDS archive) on glibc, libstdc++, zlib and dash from Debian's .debs; the jars;
#       application class-data archives of the sidecar and the device plugin recorded at build time; user 65532
#   ghcr.io/volcano-vgpu/libvgpu:<version>        /libvgpu/libvgpu.so and /libvgpu/ld.so.preload, with Debian's
#       busybox-static as /bin/sh, cp, mv, ... for the chart's init container (which runs as root)
#
#   scripts/build-images.sh               mvn package (tests skipped) of the modules, then both images, then figures
#   scripts/build-images.sh --no-maven    use the modules as already built (target/*.jar, target/lib,
#                                         libvgpu-native/target/native)
#   options: --out DIR (default target/images), --no-measure (skip the size/start-time figures)
#
# Writes DIR/volcano-vgpu-<tag>.tar and DIR/libvgpu-<tag>.tar: each an OCI image layout (oci-layout, index.json,
# blobs/sha256/...) that also carries Docker's manifest.json, the shape `docker save` writes since Docker 25: what
# `ctr images import` and `kind load image-archive` (ctr import on the node) read from index.json, and `docker load`
# from manifest.json. DIR/images.txt lists file, image name and manifest digest; DIR/figures.md the sizes and the
# sidecar's start time.
#
# Environment: IMAGE_REGISTRY [ghcr.io], IMAGE_TAG [the Maven version], SOURCE_DATE_EPOCH [the commit time: the
# time of every file and of the config], IMAGES_CACHE [~/.cache/volcano-vgpu-images: the .debs, the jlinked JRE, the
# module list of the third-party jars], MAVEN_ARGS (added to the mvn call). Layers are written in a fixed order with
# fixed times and owners, so the Debian, JRE and library layers of equal inputs have equal digests; the application
# layer does not (the JVM writes its class-data archives anew).
# Needs Linux with dpkg-deb and apt-get (Debian/Ubuntu), a JDK 17 with jmods (jlink), GNU tar, and root or
# unprivileged user namespaces (the class-data archives are recorded by running the image's JVM in a chroot of
# its own file system). Exit status 3: a prerequisite is missing (tests skip on it outside CI).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { echo "build-images: $*" >&2; }
die() { echo "build-images: error: $*" >&2; exit 1; }
missing() { echo "build-images: cannot build images here: $*" >&2; exit 3; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; }

out=target/images
maven=yes
measure=yes
while [ $# -gt 0 ]; do
  case $1 in
    --no-maven) maven=no ;;
    --no-measure) measure=no ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-images: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# ---------------------------------------------------------------------------------------------- inputs and names
VERSION=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -n 1)
[ -n "$VERSION" ] || die "no <version> in pom.xml"
TAG=${IMAGE_TAG:-$VERSION}
REGISTRY=${IMAGE_REGISTRY:-ghcr.io}
JAVA_IMAGE="$REGISTRY/volcano-vgpu/volcano-vgpu:$TAG"   # = the chart's sidecar.image and devicePlugin.image
LIBVGPU_IMAGE="$REGISTRY/volcano-vgpu/libvgpu:$TAG"     # = the chart's devicePlugin.libvgpu.image
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$REVISION" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  REVISION="$REVISION-dirty"
fi
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
CREATED=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
SOURCE=$(sed -n 's|^home: *||p' charts/volcano-vgpu/Chart.yaml)
CACHE=${IMAGES_CACHE:-$HOME/.cache/volcano-vgpu-images}
NONROOT=65532

[ "$(uname -s)" = Linux ] || missing "Linux only"
for tool in dpkg-deb apt-get tar gzip sha256sum unshare chroot mount curl; do
  command -v "$tool" >/dev/null 2>&1 || missing "no $tool (Debian's dpkg, apt, tar, gzip, coreutils, util-linux, curl)"
done
tar --version 2>/dev/null | grep -q 'GNU tar' || missing "GNU tar needed"
ARCH=$(dpkg --print-architecture) # amd64, arm64: also the OCI names
JDK=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent/bin/java)")")")}
[ -x "$JDK/bin/jlink" ] && [ -x "$JDK/bin/jdeps" ] || missing "no jlink/jdeps in $JDK (set JAVA_HOME to a JDK 17)"
[ -f "$JDK/jmods/java.base.jmod" ] || missing "no jmods in $JDK (Debian: apt-get install openjdk-17-jmods)"
"$JDK/bin/java" -version 2>&1 | grep -q '"17\.' || missing "$JDK is not a JDK 17"
if [ "$(id -u)" -eq 0 ]; then
  isolate=(unshare --mount)
elif unshare --user --map-root-user true 2>/dev/null; then
  isolate=(unshare --user --map-root-user --mount)
else
  missing "recording the class-data archives needs root or unprivileged user namespaces"
fi

if [ "$maven" = yes ]; then
  log "building the modules (mvn package, tests skipped) ..."
  # shellcheck disable=SC2086
  mvn -q -B -ntp ${MAVEN_ARGS:-} -DskipTests -pl volcano-plugin-bridge,vgpu-device-plugin,mig-manager,libvgpu-native \
    -am package >&2
fi
# component:module, in the entry point's names
COMPONENTS=(bridge:volcano-plugin-bridge device-plugin:vgpu-device-plugin mig-manager:mig-manager)
module_jar() {
  local m=$1 jar
  jar=$(ls "$m"/target/*-"$VERSION".jar 2>/dev/null | grep -v -e '-tests.jar$' -e '-sources.jar$' | head -n 1 || true)
  [ -n "$jar" ] && [ -d "$m/target/lib" ] || missing "$m is not packaged (run without --no-maven, or mvn package first)"
  echo "$jar"
}
LIBVGPU_SO=libvgpu-native/target/native/lib/libvgpu.so
[ -f "$LIBVGPU_SO" ] || missing "$LIBVGPU_SO is not built (run without --no-maven, or mvn -pl libvgpu-native compile)"

W="$out/work"
rm -rf "$W"
mkdir -p "$W" "$CACHE"
# one build at a time fills the cache (builds of other checkouts on this machine wait here)
exec 9>"$CACHE/lock"
flock 9

# ---------------------------------------------------------------------------------------------- Debian packages
# Downloads the packages' current versions into the cache (kept by file name, checked against apt's SHA-256) and
# prints their paths (call it in this shell, not in a $(...), so that its errors end the script). `apt-get download` asks only Debian's archive; as root a missing package list is fetched once.
apt_updated=no
fetch_debs() {
  local uris line file sha pkg paths=()
  mkdir -p "$CACHE/debs"
  uris=$(apt-get download --print-uris "$@" 2>/dev/null) || uris=""
  while read -r line; do
    [ -n "$line" ] || continue
    file=$(awk '{print $2}' <<<"$line")
    sha=$(awk '{print $4}' <<<"$line")
    sha=${sha#SHA256:}
    if [ ! -f "$CACHE/debs/$file" ] || [ "$(sha256sum "$CACHE/debs/$file" | cut -d' ' -f1)" != "$sha" ]; then
      pkg="$(cut -d_ -f1 <<<"$file")=$(cut -d_ -f2 <<<"$file" | sed 's/%3a/:/')"
      log "downloading $file"
      (cd "$CACHE/debs" && rm -f "$file" && apt-get download -qq "$pkg" >/dev/null 2>&1) || uris=""
      [ -z "$uris" ] || [ "$(sha256sum "$CACHE/debs/$file" | cut -d' ' -f1)" = "$sha" ] \
        || die "$file: SHA-256 differs from apt's"
    fi
    [ -z "$uris" ] && break
    paths+=("$CACHE/debs/$file")
  done <<<"$uris"
  if [ -z "$uris" ]; then # no package lists, or lists older than the archive: refresh once (root), then again
    [ "$apt_updated" = no ] && [ "$(id -u)" -eq 0 ] || missing "apt-get cannot download $* (apt-get update as root)"
    log "apt-get update (package lists)"
    apt-get update -qq >/dev/null 2>&1 || missing "apt-get update failed"
    apt_updated=yes
    fetch_debs "$@"
    return
  fi
  printf '%s\n' "${paths[@]}"
}

# Unpacks .debs into a root directory, with a dpkg status entry per package (/var/lib/dpkg/status.d/<package>,
# as distroless does, so image scanners see the packages and versions), and only the copyright files of the docs.
unpack_debs() {
  local dir=$1 deb pkg
  shift
  mkdir -p "$dir/var/lib/dpkg/status.d"
  for deb in "$@"; do
    dpkg-deb -x "$deb" "$dir"
    pkg=$(dpkg-deb -f "$deb" Package)
    { dpkg-deb -f "$deb"; echo "Status: install ok installed"; } >"$dir/var/lib/dpkg/status.d/$pkg"
  done
  rm -rf "$dir"/usr/share/{man,info,lintian,gdb,gcc,menu,initramfs-tools,debianutils,bug} "$dir"/usr/lib/*/gconv
  find "$dir/usr/share/doc" -mindepth 1 \( -type l -o \( -type f ! -name copyright \) \) -delete
  find "$dir" -mindepth 1 -type d -empty -delete
}

# ---------------------------------------------------------------------------------------------- layers and archives
# One layer: a directory tree written as a tar with fixed order, owner root (paths listed in $3 owned by the non-root
# user), mode as staged, mtime $EPOCH and no atime/ctime; then gzip -n. Appends to the arrays of the image being built.
layer_digests=() layer_diff_ids=() layer_sizes=() layer_raw_sizes=() layer_comments=()
write_layer() {
  local dir=$1 comment=$2 owned=${3:-} blobs=$4 tarf list diff digest
  tarf="$W/layer.tar"
  list="$W/layer.list"
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$list"
  local common=(--format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime --numeric-owner
    --mtime="@$EPOCH" --no-recursion -C "$dir")
  if [ -n "$owned" ]; then
    grep -v -x -F -e "$owned" "$list" >"$list.root" || true
    tar --create -f "$tarf" "${common[@]}" --owner=0 --group=0 -T "$list.root"
    tar --append -f "$tarf" "${common[@]}" --owner="$NONROOT" --group="$NONROOT" "$owned"
  else
    tar --create -f "$tarf" "${common[@]}" --owner=0 --group=0 -T "$list"
  fi
  diff=$(sha256sum "$tarf" | cut -d' ' -f1)
  layer_raw_sizes+=("$(stat -c %s "$tarf")")
  gzip -n -6 "$tarf"
  digest=$(sha256sum "$tarf.gz" | cut -d' ' -f1)
  layer_sizes+=("$(stat -c %s "$tarf.gz")")
  mv "$tarf.gz" "$blobs/$digest"
  layer_digests+=("$digest")
  layer_diff_ids+=("$diff")
  layer_comments+=("$comment")
}

json_str() { # a JSON string literal
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}
json_list() { # a JSON array of strings
  local first=1 s
  printf '['
  for s in "$@"; do
    [ $first = 1 ] || printf ','
    first=0
    json_str "$s"
  done
  printf ']'
}

# Writes config, manifest, index.json, manifest.json and oci-layout for the layers written so far, then the archive.
# $1 oci dir, $2 image name, $3 archive file, $4 title, $5 description, $6 user ("" = root), $7 entrypoint (JSON),
# $8 cmd (JSON), $9 env (JSON)
finish_image() {
  local oci=$1 name=$2 archive=$3 title=$4 description=$5 user=$6 entrypoint=$7 cmd=$8 env=$9 i labels cfg cfgd
  local manifest mand layers="" diffs="" history=""
  labels=$(printf '{"org.opencontainers.image.created":%s,"org.opencontainers.image.description":%s,%s,%s,%s,%s}' \
    "$(json_str "$CREATED")" "$(json_str "$description")" \
    "\"org.opencontainers.image.revision\":$(json_str "$REVISION")" \
    "\"org.opencontainers.image.source\":$(json_str "$SOURCE")" \
    "\"org.opencontainers.image.title\":$(json_str "$title")" \
    "\"org.opencontainers.image.version\":$(json_str "$VERSION")")
  for i in "${!layer_digests[@]}"; do
    [ "$i" = 0 ] || { layers+=,; diffs+=,; history+=,; }
    layers+=$(printf '{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}' \
      "${layer_digests[$i]}" "${layer_sizes[$i]}")
    diffs+="\"sha256:${layer_diff_ids[$i]}\""
    history+=$(printf '{"created":%s,"created_by":%s,"comment":%s}' "$(json_str "$CREATED")" \
      "$(json_str "scripts/build-images.sh")" "$(json_str "${layer_comments[$i]}")")
  done
  cfg="$W/config.json"
  printf '{"created":%s,"architecture":%s,"os":"linux","config":{%s"Env":%s,"Entrypoint":%s,"Cmd":%s,%s"Labels":%s},%s,%s}' \
    "$(json_str "$CREATED")" "$(json_str "$ARCH")" "${user:+\"User\":$(json_str "$user"),}" "$env" "$entrypoint" \
    "$cmd" '"WorkingDir":"/",' "$labels" "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diffs]}" \
    "\"history\":[$history]" >"$cfg"
  cfgd=$(sha256sum "$cfg" | cut -d' ' -f1)
  manifest="$W/manifest"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s],"annotations":%s}' \
    "$cfgd" "$(stat -c %s "$cfg")" "$layers" "$labels" >"$manifest"
  mand=$(sha256sum "$manifest" | cut -d' ' -f1)
  mv "$cfg" "$oci/blobs/sha256/$cfgd"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":%s,"os":"linux"},"annotations":{"io.containerd.image.name":%s,"org.opencontainers.image.ref.name":%s}}]}' \
    "$mand" "$(stat -c %s "$manifest")" "$(json_str "$ARCH")" "$(json_str "$name")" "$(json_str "${name##*:}")" \
    >"$oci/index.json"
  mv "$manifest" "$oci/blobs/sha256/$mand"
  local dlayers=()
  for i in "${layer_digests[@]}"; do dlayers+=("blobs/sha256/$i"); done
  printf '[{"Config":%s,"RepoTags":%s,"Layers":%s}]' "$(json_str "blobs/sha256/$cfgd")" "$(json_list "$name")" \
    "$(json_list "${dlayers[@]}")" >"$oci/manifest.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
  find "$oci" -exec touch -h -d "@$EPOCH" {} +
  (cd "$oci" && { printf '%s\n' oci-layout index.json manifest.json blobs blobs/sha256; ls blobs/sha256 | LC_ALL=C sort \
    | sed 's|^|blobs/sha256/|'; }) >"$W/archive.list"
  tar --create -f "$archive.tmp" --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --numeric-owner --owner=0 --group=0 --mtime="@$EPOCH" --no-recursion -C "$oci" -T "$W/archive.list"
  mv "$archive.tmp" "$archive"
  echo "$(basename "$archive") $name sha256:$mand" >>"$out/images.txt"
  log "wrote $archive ($name, manifest sha256:$mand)"
}

# Starts a command of an image's root file system in the background: a chroot in a private mount namespace with
# the host's /dev, /proc, /sys and /etc/hosts bound in (what a container runtime provides), as $2 (uid:gid; ignored
# without root), with the image's PATH plus the assignments in the array run_env, output to $3. Every step execs
# the next, so image_pid is the JVM's pid (signals reach it, and `wait` returns when it has exited).
run_env=()
image_pid=""
start_in_image() {
  local rootfs=$1 user=$2 logf=$3 spec=()
  shift 3
  [ "$(id -u)" -eq 0 ] && spec=(--userspec="$user")
  mkdir -p "$rootfs/dev" "$rootfs/proc" "$rootfs/sys"
  touch "$rootfs/etc/hosts"
  env -i PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "${run_env[@]}" "${isolate[@]}" /bin/sh -c '
      m=$1 c=$2 r=$3; shift 3
      for d in dev proc sys; do "$m" --rbind "/$d" "$r/$d"; done
      "$m" --bind /etc/hosts "$r/etc/hosts"
      exec "$c" "$@"' sh "$(command -v mount)" "$(command -v chroot)" "$rootfs" "${spec[@]}" "$rootfs" "$@" \
    >"$logf" 2>&1 &
  image_pid=$!
}

trap 'if [ -n "$image_pid" ]; then kill -TERM "$image_pid" 2>/dev/null || true; fi' EXIT

# Stops what start_in_image started and waits for it (the JVM writes a class-data archive as it exits).
stop_in_image() {
  kill -TERM "$image_pid" 2>/dev/null || true
  wait "$image_pid" 2>/dev/null || true
}

free_port() {
  local p
  for p in $(shuf -i 20000-45000 -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port"
}

# Starts the sidecar from a root file system and prints the milliseconds from exec to the first 200 of /readyz;
# $1 rootfs, $2 log file; run_env passes environment (e.g. the archive to record).
sidecar_ready_ms() {
  local rootfs=$1 logf=$2 http grpc metrics start pid ready=""
  http=$(free_port) grpc=$(free_port) metrics=$(free_port)
  start=$(date +%s%N)
  start_in_image "$rootfs" "$NONROOT:$NONROOT" "$logf" /usr/local/bin/volcano-vgpu bridge --no-kube \
    --http-bind="127.0.0.1:$http" --grpc-bind="127.0.0.1:$grpc" --metrics-bind-address="127.0.0.1:$metrics"
  pid=$image_pid
  for _ in $(seq 1 3000); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$http/readyz" 2>/dev/null; then ready=$(date +%s%N); break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if [ -n "$ready" ]; then # a little traffic, so the recording run also loads the serving path
    curl -fs -o /dev/null "http://127.0.0.1:$http/healthz" || true
    curl -fs -o /dev/null --retry 20 --retry-delay 0 --retry-connrefused "http://127.0.0.1:$metrics/metrics" || true
  fi
  stop_in_image
  [ -n "$ready" ] || { cat "$logf" >&2; die "the sidecar did not become ready in the image"; }
  echo $(((ready - start) / 1000000))
}

# ---------------------------------------------------------------------------------------------- the Java image
log "volcano-vgpu $VERSION, revision $REVISION, $ARCH"
: >"$out/images.txt"
J="$W/java"
mkdir -p "$J/base" "$J/jre/opt" "$J/libs/opt/volcano-vgpu/lib" "$J/app/opt/volcano-vgpu/app" \
  "$J/app/usr/local/bin" "$J/oci/blobs/sha256"

fetch_debs libc6 libgcc-s1 libstdc++6 zlib1g dash >"$W/java-debs.list"
mapfile -t java_debs <"$W/java-debs.list"
unpack_debs "$J/base" "${java_debs[@]}"
mkdir -p "$J/base/etc" "$J/base/tmp" "$J/base/root" "$J/base/home/nonroot" "$J/base/dev" "$J/base/proc" "$J/base/sys"
chmod 1777 "$J/base/tmp"
chmod 700 "$J/base/root"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/sbin/nologin\n' \
  "$NONROOT" "$NONROOT" >"$J/base/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' "$NONROOT" >"$J/base/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$J/base/etc/nsswitch.conf"

# the jars: third-party ones in lib/ (a layer that changes with the dependencies), the project's own in app/, each
# component with exactly the jars Maven resolved for its module
declare -A jars_of
for c in "${COMPONENTS[@]}"; do
  component=${c%%:*} module=${c#*:}
  jar=$(module_jar "$module")
  cp "$jar" "$J/app/opt/volcano-vgpu/app/"
  entries="/opt/volcano-vgpu/app/$(basename "$jar")"
  for f in $(ls "$module/target/lib" | LC_ALL=C sort); do
    case $f in
      *-"$VERSION".jar) dest=app d="$J/app/opt/volcano-vgpu/app" ;;
      *.jar) dest=lib d="$J/libs/opt/volcano-vgpu/lib" ;;
      *) continue ;;
    esac
    if [ -f "$d/$f" ]; then
      cmp -s "$d/$f" "$module/target/lib/$f" || die "two different $f in the modules' target/lib"
    else
      cp "$module/target/lib/$f" "$d/"
    fi
    entries+=$'\n'"/opt/volcano-vgpu/$dest/$f"
  done
  jars_of[$component]=$entries
done
# Class paths. The sidecar's and the device plugin's start with the jars both use (sorted), then the module jar and
# the rest: a shared class-data archive of the JDK and those common jars serves both (a class path must start with
# the archive's), and each one's own archive on top holds only its remaining classes. MIG manager: its module jar,
# then its libraries (sorted). No jar appears twice in a class path and no component gets a jar Maven did not give it.
COMMON=$(comm -12 <(LC_ALL=C sort <<<"${jars_of[bridge]}") <(LC_ALL=C sort <<<"${jars_of[device-plugin]}"))
write_classpath() { # component, entries (one a line)
  (IFS=:; printf -- '--class-path\n%s\n' "$(grep . <<<"$2" | paste -sd: -)") >"$J/app/opt/volcano-vgpu/$1.classpath"
}
for component in bridge device-plugin; do
  write_classpath "$component" "$COMMON"$'\n'"$(grep -v -x -F -f <(echo "$COMMON") <<<"${jars_of[$component]}")"
done
write_classpath mig-manager "${jars_of[mig-manager]}"
install -m 755 scripts/image-entrypoint.sh "$J/app/usr/local/bin/volcano-vgpu"

# the JRE: jlink of the modules the jars use (jdeps; the third-party jars' answer is cached by their names) plus the
# service providers jdeps cannot see (EC crypto for TLS, DNS for JNDI). No default CDS archive: the image's own
# (below) holds the JDK classes the components load.
jdeps_modules() {
  "$JDK/bin/jdeps" --ignore-missing-deps --multi-release 17 --print-module-deps -q --no-recursive "$@" | tr ',' '\n'
}
libs_key=$(ls "$J/libs/opt/volcano-vgpu/lib" | sha256sum | cut -c1-16)
mkdir -p "$CACHE/jdeps"
if [ ! -s "$CACHE/jdeps/$libs_key" ]; then
  log "jdeps over the third-party jars (once per dependency set)"
  jdeps_modules "$J"/libs/opt/volcano-vgpu/lib/*.jar >"$CACHE/jdeps/$libs_key.tmp"
  mv "$CACHE/jdeps/$libs_key.tmp" "$CACHE/jdeps/$libs_key"
fi
modules=$( { cat "$CACHE/jdeps/$libs_key"; jdeps_modules "$J"/app/opt/volcano-vgpu/app/*.jar;
  printf '%s\n' java.base jdk.crypto.ec jdk.naming.dns; } | grep . | LC_ALL=C sort -u | paste -sd, -)
jlink_opts=(--add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2)
jre_key=$( { "$JDK/bin/java" -version 2>&1; echo "${jlink_opts[*]}"; echo jre-v2; } | sha256sum | cut -c1-16)
jre="$CACHE/jre/$jre_key"
if [ ! -x "$jre/bin/java" ]; then
  log "jlink: $modules"
  rm -rf "$jre.tmp"
  mkdir -p "$CACHE/jre"
  "$JDK/bin/jlink" "${jlink_opts[@]}" --output "$jre.tmp" >/dev/null
  # headless server: no native AWT/sound/font libraries (their X11, ALSA and FreeType dependencies are not in the
  # image); libjvm.so without its static symbol table (4 MB; exported symbols stay)
  rm -f "$jre.tmp"/lib/{libawt_xawt,libjawt,libsplashscreen,libjsound,libfontmanager,liblcms,libjavajpeg}.so
  if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$jre.tmp/lib/server/libjvm.so"; fi
  rm -rf "$jre"
  mv "$jre.tmp" "$jre"
fi
cp -a "$jre" "$J/jre/opt/java"

# every file at $EPOCH before the recording runs: the class-data archives check the jars' modification times
for d in base jre libs app; do find "$J/$d" -exec touch -h -d "@$EPOCH" {} +; done

# The class-data archives, recorded by running the image's own file system: the sidecar (to ready, as the non-root
# user) and the device plugin (two fake GPUs, root, until its three kubelet sockets serve) each list the classes they
# load; the JDK's and the common jars' classes of both lists are dumped into one static archive, base.jsa; then each
# runs again on base.jsa and writes its remaining classes to its own dynamic archive at exit (-XX:ArchiveClassesAtExit).
rootfs="$J/rootfs"
mkdir -p "$rootfs"
for d in base jre libs app; do cp -al "$J/$d/." "$rootfs/"; done
cds=/opt/volcano-vgpu/cds
mkdir -p "$rootfs$cds" "$J/app$cds" "$rootfs/tmp/device-plugins"
chmod 777 "$rootfs$cds" # the sidecar runs as the non-root user
record_device_plugin() { # $1 JVM options, $2 log
  local n
  run_env=(VOLCANO_VGPU_CDS=off NODE_NAME=image-build "VOLCANO_VGPU_JAVA_OPTS=$1")
  rm -f "$rootfs"/tmp/device-plugins/*
  start_in_image "$rootfs" 0:0 "$2" /usr/local/bin/volcano-vgpu device-plugin --fake-gpus 2 --no-kube \
    --device-plugin-path /tmp/device-plugins --metrics-bind-address "127.0.0.1:$(free_port)"
  for _ in $(seq 1 3000); do
    n=$(find "$rootfs/tmp/device-plugins" -name '*.sock' | wc -l)
    [ "$n" -ge 3 ] && break
    kill -0 "$image_pid" 2>/dev/null || break
    sleep 0.01
  done
  sleep 1
  stop_in_image
  [ "$n" -ge 3 ] || { cat "$2" >&2; die "the device plugin did not serve in the image"; }
  run_env=()
}
quiet="-Xlog:cds=off -Xlog:cds+dynamic=off"
log "recording class lists (sidecar, device plugin)"
run_env=(VOLCANO_VGPU_CDS=off "VOLCANO_VGPU_JAVA_OPTS=-Xshare:off -XX:DumpLoadedClassList=$cds/bridge.classlist")
sidecar_ready_ms "$rootfs" "$W/list-bridge.log" >/dev/null
record_device_plugin "-Xshare:off -XX:DumpLoadedClassList=$cds/device-plugin.classlist" "$W/list-device-plugin.log"
# merged: the ids of the list format only link classes of custom loaders, which neither has
cat "$rootfs$cds/bridge.classlist" "$rootfs$cds/device-plugin.classlist" | sed 's/ id: [0-9]*$//' | awk '!seen[$0]++' \
  >"$rootfs$cds/base.classlist"
log "dumping the shared archive base.jsa (JDK and common jars)"
run_env=()
start_in_image "$rootfs" 0:0 "$W/dump-base.log" /opt/java/bin/java -Xshare:dump -Xlog:cds=off \
  -XX:SharedClassListFile="$cds/base.classlist" -XX:SharedArchiveFile="$cds/base.jsa" \
  --class-path "$(paste -sd: - <<<"$COMMON")"
wait "$image_pid" || { cat "$W/dump-base.log" >&2; die "java -Xshare:dump failed"; }
image_pid=""
log "recording the sidecar's and the device plugin's own archives"
run_env=(VOLCANO_VGPU_CDS=off
  "VOLCANO_VGPU_JAVA_OPTS=-XX:SharedArchiveFile=$cds/base.jsa -XX:ArchiveClassesAtExit=$cds/bridge.jsa $quiet")
sidecar_ready_ms "$rootfs" "$W/record-bridge.log" >/dev/null
run_env=()
record_device_plugin "-XX:SharedArchiveFile=$cds/base.jsa -XX:ArchiveClassesAtExit=$cds/device-plugin.jsa $quiet" \
  "$W/record-device-plugin.log"
for a in base bridge device-plugin; do
  [ -s "$rootfs$cds/$a.jsa" ] || { cat "$W/record-$a.log" "$W/dump-$a.log" 2>/dev/null >&2 || true; die "no $a.jsa"; }
  cp "$rootfs$cds/$a.jsa" "$J/app$cds/"
  chmod 644 "$J/app$cds/$a.jsa"
done
find "$J/app$cds" -exec touch -h -d "@$EPOCH" {} +

layer_digests=() layer_diff_ids=() layer_sizes=() layer_raw_sizes=() layer_comments=()
write_layer "$J/base" "Debian: $(for d in "${java_debs[@]}"; do basename "$d" .deb; done | paste -sd' ' -); users" \
  home/nonroot "$J/oci/blobs/sha256"
write_layer "$J/jre" "JRE: jlink $modules" "" "$J/oci/blobs/sha256"
write_layer "$J/libs" "third-party jars" "" "$J/oci/blobs/sha256"
write_layer "$J/app" "volcano-vgpu jars, class paths, entry point, class-data archives" "" "$J/oci/blobs/sha256"
java_raw=0 java_layers=${#layer_digests[@]}
for s in "${layer_raw_sizes[@]}"; do java_raw=$((java_raw + s)); done
java_archive="$out/volcano-vgpu-$TAG.tar"
finish_image "$J/oci" "$JAVA_IMAGE" "$java_archive" volcano-vgpu \
  "volcano-vgpu: the scheduler sidecar, the kubelet device plugin and the MIG manager (volcano-vgpu <subcommand>)" \
  "$NONROOT:$NONROOT" '["/usr/local/bin/volcano-vgpu"]' '["help"]' \
  '["PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]'

# ---------------------------------------------------------------------------------------------- the libvgpu image
L="$W/libvgpu"
mkdir -p "$L/base/bin" "$L/lib/libvgpu" "$L/oci/blobs/sha256"
fetch_debs busybox-static >"$W/libvgpu-debs.list"
mapfile -t libvgpu_debs <"$W/libvgpu-debs.list"
unpack_debs "$L/base" "${libvgpu_debs[@]}"
for applet in $("$L/base/bin/busybox" --list); do
  [ -e "$L/base/bin/$applet" ] || ln -s busybox "$L/base/bin/$applet"
done
mkdir -p "$L/base/tmp"
chmod 1777 "$L/base/tmp"
install -m 755 "$LIBVGPU_SO" "$L/lib/libvgpu/libvgpu.so"
# what the chart's init container writes into the host's hook path (the path the device plugin mounts it at)
printf '%s\n' /usr/local/vgpu/libvgpu.so >"$L/lib/libvgpu/ld.so.preload"
chmod 644 "$L/lib/libvgpu/ld.so.preload"
for d in base lib; do find "$L/$d" -exec touch -h -d "@$EPOCH" {} +; done
layer_digests=() layer_diff_ids=() layer_sizes=() layer_raw_sizes=() layer_comments=()
write_layer "$L/base" "Debian: $(basename "${libvgpu_debs[0]}" .deb)" "" "$L/oci/blobs/sha256"
write_layer "$L/lib" "libvgpu.so, ld.so.preload" "" "$L/oci/blobs/sha256"
libvgpu_raw=0
for s in "${layer_raw_sizes[@]}"; do libvgpu_raw=$((libvgpu_raw + s)); done
libvgpu_archive="$out/libvgpu-$TAG.tar"
finish_image "$L/oci" "$LIBVGPU_IMAGE" "$libvgpu_archive" libvgpu \
  "libvgpu: the LD_PRELOAD library enforcing GPU/NPU memory and compute limits, copied to the host by an init container" \
  "" 'null' '["/bin/sh"]' '["PATH=/bin"]'

# ---------------------------------------------------------------------------------------------- figures
if [ "$measure" = yes ]; then
  # the sidecar started from the layers of the archive just written (extracted in order into a fresh root), as the
  # non-root user, from exec to the first 200 of /readyz: the chroot, dash, the JVM with the image's class-data
  # archives, the sidecar's start (without an API server: no informer sync) and its HTTP server; not included: what
  # a container runtime adds (unpacking, namespaces, cgroups) and, in a cluster, the informer sync and the Lease
  m="$W/measure"
  mkdir -p "$m/rootfs"
  for digest in $(sed -n 's|.*"Layers":\[\(.*\)\]}\]|\1|p' "$J/oci/manifest.json" | tr -d '"' | tr ',' ' '); do
    tar -xzf "$J/oci/$digest" -C "$m/rootfs"
  done
  log "measuring the sidecar's start (5 runs with its class-data archives and 5 without, interleaved)"
  runs=() plain=()
  for i in 1 2 3 4 5; do
    run_env=()
    runs+=("$(sidecar_ready_ms "$m/rootfs" "$m/run-$i.log")")
    run_env=(VOLCANO_VGPU_CDS=off)
    plain+=("$(sidecar_ready_ms "$m/rootfs" "$m/plain-$i.log")")
  done
  run_env=()
  median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
  mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
  {
    echo "images ($(date -u +%FT%TZ), $(nproc) cores, $(uname -sr)):"
    echo
    echo '| figure | measured | target |'
    echo '|---|---:|---|'
    echo "| Java image $JAVA_IMAGE: size unpacked ($java_layers layers, as \`docker images\` shows) | $(mb "$java_raw") | <= 200 MB |"
    echo "| Java image archive (gzip layers) | $(mb "$(stat -c %s "$java_archive")") | |"
    echo "| libvgpu image $LIBVGPU_IMAGE: size unpacked | $(mb "$libvgpu_raw") | |"
    echo "| libvgpu image archive | $(mb "$(stat -c %s "$libvgpu_archive")") | |"
    echo "| sidecar start to /readyz 200 from the image's layers (chroot, user $NONROOT, --no-kube), median of 5 | $(median "${runs[@]}") ms | <= 3000 ms |"
    echo "| same without the class-data archives (VOLCANO_VGPU_CDS=off), median of 5 | $(median "${plain[@]}") ms | |"
  } >"$out/figures.md"
  cat "$out/figures.md" >&2
fi
rm -rf "$W"
log "done: $(cut -d' ' -f1,2 "$out/images.txt" | paste -sd';' - | sed 's/;/; /g')"
