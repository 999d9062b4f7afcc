@NullMarked
package io.github.volcanovgpu.mig.profile;

import org.jspecify.annotations.NullMarked;
