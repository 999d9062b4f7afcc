/**
 * NVIDIA's port to the hardware: {@link io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend} with NVML through
 * JNA ({@link io.github.volcanovgpu.plugin.vendor.nvidia.gpu.NvmlGpuBackend}), a YAML-described fake
 * ({@link io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend}) and the cards of a fake MIG machine
 * ({@link io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeMigBackend}).
 */
@NullMarked
package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import org.jspecify.annotations.NullMarked;
