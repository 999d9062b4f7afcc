/** The node monitor against real libvgpu processes on the stub driver. */
@NullMarked
package io.github.volcanovgpu.e2e.monitor;

import org.jspecify.annotations.NullMarked;
