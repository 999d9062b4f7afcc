@NullMarked
package io.github.volcanovgpu.plugin;

import org.jspecify.annotations.NullMarked;
