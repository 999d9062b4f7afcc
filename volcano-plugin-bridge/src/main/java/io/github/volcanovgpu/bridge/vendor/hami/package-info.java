/**
 * What HAMi's device kinds other than NVIDIA's share on the scheduler side (Ascend, Vastai): the allocation
 * annotations and keys, request parsing of count/memory/cores resources, comma-list filters, and the per-device walk
 * order and score of Volcano's and HAMi's {@code CalScore}.
 */
@NullMarked
package io.github.volcanovgpu.bridge.vendor.hami;

import org.jspecify.annotations.NullMarked;
