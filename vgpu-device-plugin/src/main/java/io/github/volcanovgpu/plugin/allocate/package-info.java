/**
 * The Allocate path. Kind-neutral: the pods ({@link io.github.volcanovgpu.plugin.allocate.PodSource}), the
 * pod-resolving Allocate ({@link io.github.volcanovgpu.plugin.allocate.PodAllocationHandler}) driven by a kind's
 * {@link io.github.volcanovgpu.plugin.allocate.AllocationKind} (its annotations
 * {@link io.github.volcanovgpu.plugin.allocate.AssignmentAnnotations}, container mapping, ID check and answer built by
 * {@link io.github.volcanovgpu.plugin.allocate.ResponseContributor}s), and per-container leftovers. NVIDIA vGPU's
 * answer ({@link io.github.volcanovgpu.plugin.allocate.VgpuAllocationHandler}, {@code ContainerResponses},
 * {@link io.github.volcanovgpu.plugin.allocate.AllocationSettings}) still lives here beside it.
 */
@NullMarked
package io.github.volcanovgpu.plugin.allocate;

import org.jspecify.annotations.NullMarked;
