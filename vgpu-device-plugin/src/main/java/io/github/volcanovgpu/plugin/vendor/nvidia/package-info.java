/**
 * NVIDIA as a device kind ({@link io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend}): the vGPU resources, the
 * static and dynamic MIG resources and {@code volcano.sh/node-vgpu-register}
 * ({@link io.github.volcanovgpu.plugin.vendor.nvidia.NodeInventory}). Its hardware port is in {@code .gpu}; its
 * Allocate answer, MIG and CDI parts live in {@code plugin.allocate}, {@code plugin.mig} and {@code plugin.cdi}.
 */
@NullMarked
package io.github.volcanovgpu.plugin.vendor.nvidia;

import org.jspecify.annotations.NullMarked;
