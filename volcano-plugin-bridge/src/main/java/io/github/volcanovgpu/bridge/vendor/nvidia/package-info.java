@NullMarked
package io.github.volcanovgpu.bridge.vendor.nvidia;

import org.jspecify.annotations.NullMarked;
