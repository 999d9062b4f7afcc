/**
 * The vGPU node monitor ({@code volcano-vgpu monitor}): reads every container's libvgpu region on the node, names
 * containers through the kubelet's pod-resources API, adds the driver's view of each card, and exports metrics
 * (HAMi's vGPUmonitor names) and Events. {@link io.github.volcanovgpu.plugin.monitor.NodeUsage#compose} is the pure
 * core; directories, sockets, {@code /proc}, the driver and the API server are edges.
 */
@NullMarked
package io.github.volcanovgpu.plugin.monitor;

import org.jspecify.annotations.NullMarked;
