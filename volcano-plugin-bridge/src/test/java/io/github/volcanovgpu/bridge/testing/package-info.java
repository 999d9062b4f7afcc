@NullMarked
package io.github.volcanovgpu.bridge.testing;

import org.jspecify.annotations.NullMarked;
