/**
 * Ascend NPUs as a device kind ({@link io.github.volcanovgpu.plugin.vendor.ascend.AscendBackend}): every chip of
 * {@code vnpus.configs} found on the node is served as HAMi's ascend-device-plugin serves it (count resource
 * {@code huawei.com/<CommonWord>}, registration {@code hami.io/node-register-<CommonWord>}, Allocate for hami-core
 * soft sharing or template vNPUs). The hardware comes through
 * {@link io.github.volcanovgpu.plugin.vendor.ascend.AscendDcmiPort}: DCMI ({@code libdcmi.so}) through JNA, or a fake
 * machine.
 */
@NullMarked
package io.github.volcanovgpu.plugin.vendor.ascend;

import org.jspecify.annotations.NullMarked;
