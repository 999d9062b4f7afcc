@NullMarked
package io.github.volcanovgpu.bridge.extender;

import org.jspecify.annotations.NullMarked;
