@NullMarked
package io.github.volcanovgpu.plugin.kubelet;

import org.jspecify.annotations.NullMarked;
