/**
 * Vastai cards as a device kind ({@link io.github.volcanovgpu.plugin.vendor.vastai.VastaiBackend}): each card, or
 * each die of a card ({@code --device-strategy=die}), is one exclusive device of {@code vastaitech.com/va},
 * registered as HAMi's {@code hami.io/node-va-register}. The hardware comes through
 * {@link io.github.volcanovgpu.plugin.vendor.vastai.VastaiPort}; only a fake machine exists so far.
 */
@NullMarked
package io.github.volcanovgpu.plugin.vendor.vastai;

import org.jspecify.annotations.NullMarked;
