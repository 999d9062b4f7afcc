/** The device kinds, one package each ({@code nvidia}, {@code ascend}, {@code vastai}), and their catalog. */
@NullMarked
package io.github.volcanovgpu.bridge.vendor;

import org.jspecify.annotations.NullMarked;
