@NullMarked
package io.github.volcanovgpu.plugin.vendor.nvidia;

import org.jspecify.annotations.NullMarked;
