@NullMarked
package io.github.volcanovgpu.bridge.grpc;

import org.jspecify.annotations.NullMarked;
