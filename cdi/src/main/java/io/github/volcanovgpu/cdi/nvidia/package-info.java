/**
 * Pure CDI spec generators for NVIDIA devices: full GPUs (by UUID, index and {@code all}), MIG devices (parent node
 * plus GI and CI {@code nvidia-cap} capability nodes) and vGPU slices (libvgpu environment and mounts per scheduled
 * container). Inventory in, {@link io.github.volcanovgpu.cdi.CdiSpec} out; no I/O.
 */
@NullMarked
package io.github.volcanovgpu.cdi.nvidia;

import org.jspecify.annotations.NullMarked;
