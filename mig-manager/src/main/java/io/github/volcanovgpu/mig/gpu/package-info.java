@NullMarked
package io.github.volcanovgpu.mig.gpu;

import org.jspecify.annotations.NullMarked;
