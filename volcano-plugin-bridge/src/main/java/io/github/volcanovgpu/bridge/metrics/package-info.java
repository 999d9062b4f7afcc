@NullMarked
package io.github.volcanovgpu.bridge.metrics;

import org.jspecify.annotations.NullMarked;
