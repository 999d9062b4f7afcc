/**
 * The full-stack end-to-end suite: a real kube-apiserver, the sidecar over HTTP driven like Volcano's session,
 * device plugins behind test kubelets and the real kubelet, and libvgpu's probe enforcing each Allocate response.
 */
@NullMarked
package io.github.volcanovgpu.e2e;

import org.jspecify.annotations.NullMarked;
