@NullMarked
package io.github.volcanovgpu.mig.daemon;

import org.jspecify.annotations.NullMarked;
