@NullMarked
package io.github.volcanovgpu.contract.device;

import org.jspecify.annotations.NullMarked;
