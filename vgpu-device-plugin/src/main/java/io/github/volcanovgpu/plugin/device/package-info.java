/**
 * The node half's device-kind SPI (STYLE B.2): a {@link io.github.volcanovgpu.plugin.device.DeviceBackend} per kind
 * (NVIDIA, Ascend, Vastai) discovers its {@link io.github.volcanovgpu.plugin.device.PhysicalDevice}s, reports their
 * health ({@link io.github.volcanovgpu.plugin.device.HealthMonitor}) and, per start, says what it serves
 * ({@link io.github.volcanovgpu.plugin.device.NodeServing}: kubelet resources
 * ({@link io.github.volcanovgpu.plugin.device.PluginResource}) with their Allocate handlers, node annotations
 * ({@link io.github.volcanovgpu.plugin.device.NodeRegistration}), per-container leftovers). The device plugin core
 * (kubelet protocol, health state, publishing) depends on this package and never on a vendor.
 */
@NullMarked
package io.github.volcanovgpu.plugin.device;

import org.jspecify.annotations.NullMarked;
