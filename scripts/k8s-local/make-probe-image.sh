#!/usr/bin/env bash
# make-probe-image.sh OUT.tar NAME:TAG NATIVE_DIR
# The workload image of the last-hop test, without a registry: libvgpu's vgpu-probe and the stub CUDA driver
# (libcuda.so.1, libnvidia-ml.so.1 from NATIVE_DIR = libvgpu-native/target/native) where a GPU container has the
# driver's libraries (/usr/lib/x86_64-linux-gnu, as the NVIDIA container toolkit puts them), the glibc they and
# libvgpu.so need (copied from this machine, found with ldd), and Debian's static busybox as /bin/sh. libvgpu itself
# is NOT in the image: the device plugin's Allocate answer mounts it and /etc/ld.so.preload into the container, as
# on a real node. One layer; OCI layout with the name NAME:TAG (use localhost/..., imagePullPolicy: Never); import
# with `ctr -n k8s.io images import OUT.tar`. Needs busybox-static and ldd (libc-bin).
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
out=$1 ref=$2 native=$3
bb=/bin/busybox
[ -x "$bb" ] || { echo "make-probe-image.sh: no $bb (apt-get install busybox-static)" >&2; exit 1; }
! ldd "$bb" >/dev/null 2>&1 || { echo "make-probe-image.sh: $bb is linked dynamically (apt-get install busybox-static)" >&2; exit 1; }
for f in bin/vgpu-probe stub/libcuda.so.1 stub/libnvidia-ml.so.1 lib/libvgpu.so; do
  [ -e "$native/$f" ] || { echo "make-probe-image.sh: no $native/$f (mvn -pl libvgpu-native compile)" >&2; exit 1; }
done
multiarch=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
r=$w/rootfs
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/usr/local/bin" "$r/usr/lib/$multiarch" \
  "$w/oci/blobs/sha256"
chmod 1777 "$r/tmp"
cp "$bb" "$r/bin/busybox"
for a in sh sleep ls cat env printenv echo id ps mount grep test true; do ln -s busybox "$r/bin/$a"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$r/etc/passwd"
echo 'root:x:0:' > "$r/etc/group"
cp "$native/bin/vgpu-probe" "$r/usr/local/bin/vgpu-probe"
cp -L "$native/stub/libcuda.so.1" "$native/stub/libnvidia-ml.so.1" "$r/usr/lib/$multiarch/"
# glibc for the probe, the stub driver and the libvgpu.so the container will get mounted: every library ldd names,
# under the path ldd resolved it to (the loader itself at its absolute path)
for lib in $(ldd "$native/bin/vgpu-probe" "$native/stub/libcuda.so.1" "$native/stub/libnvidia-ml.so.1" \
    "$native/lib/libvgpu.so" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u); do
  mkdir -p "$r$(dirname "$lib")"
  cp -L "$lib" "$r$lib"
done
[ -n "$(ls "$r"/lib*/ld-linux* "$r"/lib/*/ld-linux* 2>/dev/null)" ] || { echo "make-probe-image.sh: ldd found no loader" >&2; exit 1; }
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$r" -cf "$w/layer.tar" .
blob() { # file -> moves it to blobs/sha256/<digest>, prints "<digest> <size>"
  local sha size
  sha=$(sha256sum "$1" | cut -d' ' -f1); size=$(stat -c %s "$1")
  mv "$1" "$w/oci/blobs/sha256/$sha"
  echo "$sha $size"
}
read -r lsha lsize < <(blob "$w/layer.tar")
cat > "$w/config.json" <<J
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/bin","LD_LIBRARY_PATH=/usr/lib/$multiarch:/lib/$multiarch"],"Entrypoint":["/usr/local/bin/vgpu-probe"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$lsha"]},"history":[{"created_by":"scripts/k8s-local/make-probe-image.sh"}]}
J
read -r csha csize < <(blob "$w/config.json")
cat > "$w/manifest.json" <<J
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$csha","size":$csize},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$lsha","size":$lsize}]}
J
read -r msha msize < <(blob "$w/manifest.json")
echo "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$msha\",\"size\":$msize,\"annotations\":{\"io.containerd.image.name\":\"$ref\",\"org.opencontainers.image.ref.name\":\"${ref##*:}\"}}]}" > "$w/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$w/oci/oci-layout"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$w/oci" -cf "$out" .
