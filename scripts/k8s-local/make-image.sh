#!/usr/bin/env bash
# make-image.sh OUT.tar NAME:TAG [NAME:TAG...]
# An OCI image tarball without a registry: one layer holding Debian's static busybox (/bin/busybox + applet links,
# a passwd/group for root), entrypoint `/bin/sleep 2147483647` (good enough as a pod's pause process). Every name
# given points at the same manifest; import with `ctr -n k8s.io images import OUT.tar`. Use names such as
# localhost/busybox:1, which CRI name normalisation leaves as they are. Needs busybox-static (scripts/k8s-local.sh
# installs it). Byte-for-byte reproducible for one busybox binary.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,7p' "$0" >&2; exit 2; }
out=$1; shift
bb=/bin/busybox
[ -x "$bb" ] || { echo "make-image.sh: no $bb (apt-get install busybox-static)" >&2; exit 1; }
# the image holds nothing else: a dynamically linked busybox would not start in it
! ldd "$bb" >/dev/null 2>&1 || { echo "make-image.sh: $bb is linked dynamically (apt-get install busybox-static)" >&2; exit 1; }
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
mkdir -p "$w/rootfs/bin" "$w/rootfs/etc" "$w/rootfs/tmp" "$w/rootfs/proc" "$w/rootfs/sys" "$w/rootfs/dev" "$w/oci/blobs/sha256"
cp "$bb" "$w/rootfs/bin/busybox"
for a in sh sleep ls cat env printenv echo id ps mount hostname ip wget true test grep; do ln -s busybox "$w/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$w/rootfs/etc/passwd"
echo 'root:x:0:' > "$w/rootfs/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$w/rootfs" -cf "$w/layer.tar" .
blob() { # file -> moves it to blobs/sha256/<digest>, prints "<digest> <size>"
  local sha size
  sha=$(sha256sum "$1" | cut -d' ' -f1); size=$(stat -c %s "$1")
  mv "$1" "$w/oci/blobs/sha256/$sha"
  echo "$sha $size"
}
read -r lsha lsize < <(blob "$w/layer.tar")
cat > "$w/config.json" <<J
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Entrypoint":["/bin/sleep"],"Cmd":["2147483647"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$lsha"]},"history":[{"created_by":"busybox-static"}]}
J
read -r csha csize < <(blob "$w/config.json")
cat > "$w/manifest.json" <<J
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$csha","size":$csize},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$lsha","size":$lsize}]}
J
read -r msha msize < <(blob "$w/manifest.json")
manifests=""
for ref in "$@"; do
  [ -n "$manifests" ] && manifests="$manifests,"
  manifests="$manifests{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$msha\",\"size\":$msize,\"annotations\":{\"io.containerd.image.name\":\"$ref\",\"org.opencontainers.image.ref.name\":\"${ref##*:}\"}}"
done
echo "{\"schemaVersion\":2,\"manifests\":[$manifests]}" > "$w/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$w/oci/oci-layout"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$w/oci" -cf "$out" .
