@NullMarked
package io.github.volcanovgpu.plugin.device;

import org.jspecify.annotations.NullMarked;
