@NullMarked
package io.github.volcanovgpu.mig;

import org.jspecify.annotations.NullMarked;
