@NullMarked
package io.github.volcanovgpu.plugin.allocate;

import org.jspecify.annotations.NullMarked;
