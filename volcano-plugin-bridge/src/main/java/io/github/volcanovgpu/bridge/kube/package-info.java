@NullMarked
package io.github.volcanovgpu.bridge.kube;

import org.jspecify.annotations.NullMarked;
