@NullMarked
package io.github.volcanovgpu.bridge.device;

import org.jspecify.annotations.NullMarked;
