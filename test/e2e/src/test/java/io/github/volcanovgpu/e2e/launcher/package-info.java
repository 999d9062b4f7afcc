/** Tests of the launcher script {@code ./volcano-vgpu} at the repository root. */
@NullMarked
package io.github.volcanovgpu.e2e.launcher;

import org.jspecify.annotations.NullMarked;
