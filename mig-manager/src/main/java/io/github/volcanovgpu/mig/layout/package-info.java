@NullMarked
package io.github.volcanovgpu.mig.layout;

import org.jspecify.annotations.NullMarked;
