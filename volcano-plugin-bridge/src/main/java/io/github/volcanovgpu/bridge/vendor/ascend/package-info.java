@NullMarked
package io.github.volcanovgpu.bridge.vendor.ascend;

import org.jspecify.annotations.NullMarked;
