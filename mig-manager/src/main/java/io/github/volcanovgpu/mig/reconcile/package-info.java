@NullMarked
package io.github.volcanovgpu.mig.reconcile;

import org.jspecify.annotations.NullMarked;
