/**
 * How this product talks JSON with the Kubernetes API server (shared by the sidecar and the device plugin).
 * Needs {@code io.kubernetes:client-java} on the class path (an optional dependency of this module).
 */
@NullMarked
package io.github.volcanovgpu.contract.kube;

import org.jspecify.annotations.NullMarked;
