@NullMarked
package io.github.volcanovgpu.bridge;

import org.jspecify.annotations.NullMarked;
