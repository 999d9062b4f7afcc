@NullMarked
package io.github.volcanovgpu.plugin.register;

import org.jspecify.annotations.NullMarked;
