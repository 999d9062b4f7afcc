@NullMarked
package io.github.volcanovgpu.bridge.scheduling;

import org.jspecify.annotations.NullMarked;
