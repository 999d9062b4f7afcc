@NullMarked
package io.github.volcanovgpu.contract.annotation;

import org.jspecify.annotations.NullMarked;
