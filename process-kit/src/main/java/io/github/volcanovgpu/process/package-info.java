/**
 * The glue the three programs share (the scheduler sidecar {@code volcano-vgpu bridge}, the device plugin
 * {@code volcano-vgpu device-plugin}, the MIG manager {@code vgpu-mig-manager}): running a picocli command with one
 * meaning of exit codes ({@link Cli}), the Prometheus endpoint ({@link MetricsServer}), bind addresses
 * ({@link HostPort}) and named daemon threads ({@link DaemonThreads}). Kubernetes clients and informers are in
 * {@code process.kube}.
 */
@NullMarked
package io.github.volcanovgpu.process;

import org.jspecify.annotations.NullMarked;
