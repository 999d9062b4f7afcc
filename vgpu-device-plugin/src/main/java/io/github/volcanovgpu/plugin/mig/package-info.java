/**
 * MIG in the device plugin: dynamic MIG for node {@code operatingmode: mig} ({@link
 * io.github.volcanovgpu.plugin.mig.DynamicMigSlices}: {@code UUID[group-pos]} to a MIG device through the
 * mig-manager library), NVIDIA's static MIG strategies {@code none|single|mixed} ({@link
 * io.github.volcanovgpu.plugin.mig.StaticMigPlan},
 * {@link io.github.volcanovgpu.plugin.mig.MigInstanceAllocationHandler}) and the MIG part of the CDI inventory
 * ({@link io.github.volcanovgpu.plugin.mig.MigInventory}). The fake backend that describes the same cards as a fake
 * MIG machine is {@link io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeMigBackend}.
 */
@NullMarked
package io.github.volcanovgpu.plugin.mig;

import org.jspecify.annotations.NullMarked;
