/** Hand-written constants of the kubelet APIs whose messages are generated in {@code io.github.volcanovgpu.proto}. */
@NullMarked
package io.github.volcanovgpu.contract.kubelet;

import org.jspecify.annotations.NullMarked;
