@NullMarked
package io.github.volcanovgpu.bridge.simulate;

import org.jspecify.annotations.NullMarked;
