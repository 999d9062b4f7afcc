#!/bin/sh
# Entry point of the volcano-vgpu container image (/usr/local/bin/volcano-vgpu): the subcommands of the
# repository's ./volcano-vgpu launcher, started on the image's JRE with the class path and the class-data archive
# recorded when the image was built (scripts/build-images.sh). POSIX sh: the image's shell is dash, nothing else.
#
#   volcano-vgpu bridge [options]         the scheduler sidecar (Volcano extender HTTP + gRPC + metrics, webhook)
#   volcano-vgpu simulate [options]       the embedded simulation (the sidecar's module)
#   volcano-vgpu device-plugin [options]  the kubelet device plugin (root)
#   volcano-vgpu mig-manager <command>    MIG layouts: apply / assert / export / daemon (root)
#   volcano-vgpu monitor [options]        the vGPU node monitor (the device plugin's class path and archive)
#
# VOLCANO_VGPU_JAVA_OPTS: JVM options placed after the defaults below, so they win. VOLCANO_VGPU_CDS=off: start
# without the class-data archives (the MIG manager, a short-lived command, has none).
set -eu
app=/opt/volcano-vgpu

usage() {
  printf '%s\n' 'usage: volcano-vgpu bridge|simulate|device-plugin|mig-manager|monitor [options]' \
    '  bridge [options]         the scheduler sidecar' \
    '  simulate [options]       the embedded simulation' \
    '  device-plugin [options]  the kubelet device plugin' \
    '  mig-manager <command>    MIG layouts: apply, assert, export, daemon' \
    '  monitor [options]        the vGPU node monitor' \
    "  '<command> --help' lists a command's options"
}

cmd=${1:-help}
case "$cmd" in
  bridge|simulate) component=bridge; main=io.github.volcanovgpu.bridge.BridgeMain ;;
  device-plugin) component=device-plugin; main=io.github.volcanovgpu.plugin.DevicePluginMain; shift ;;
  monitor) component=device-plugin; main=io.github.volcanovgpu.plugin.monitor.MonitorMain; shift ;;
  mig-manager) component=mig-manager; main=io.github.volcanovgpu.mig.MigManagerMain; shift ;;
  help|-h|--help) usage; exit 0 ;;
  *) printf "volcano-vgpu: unknown command '%s'\n" "$cmd" >&2; usage >&2; exit 2 ;;
esac

jvm=""
if [ "$component" = device-plugin ]; then
  # a node daemon, as the launcher runs it: small heap growing on demand, C1 only, serial GC
  jvm="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms16m -Xmx512m -Xss512k"
fi
if [ "$cmd" = monitor ]; then
  # as the launcher runs the monitor: a small heap, no pooled Netty arenas, two malloc arenas (RSS <= 100 MB)
  jvm="$jvm -Xmx64m -XX:ReservedCodeCacheSize=24m -Dio.netty.allocator.type=unpooled"
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  export MALLOC_ARENA_MAX
fi
cds="$app/cds"
if [ "${VOLCANO_VGPU_CDS:-on}" != off ] && [ -f "$cds/base.jsa" ] && [ -f "$cds/$component.jsa" ]; then
  # recorded at build time by this image's JVM and class paths: base.jsa (the JDK's and the common jars' classes)
  # and the component's own archive on top; an unusable archive is ignored quietly
  jvm="$jvm -XX:SharedArchiveFile=$cds/base.jsa:$cds/$component.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
fi
# shellcheck disable=SC2086 # word splitting of the option lists is intended
exec /opt/java/bin/java $jvm "@$app/$component.classpath" ${VOLCANO_VGPU_JAVA_OPTS:-} "$main" "$@"
