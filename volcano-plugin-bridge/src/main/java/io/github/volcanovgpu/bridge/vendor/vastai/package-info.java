@NullMarked
package io.github.volcanovgpu.bridge.vendor.vastai;

import org.jspecify.annotations.NullMarked;
