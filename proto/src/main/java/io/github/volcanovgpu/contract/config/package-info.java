@NullMarked
package io.github.volcanovgpu.contract.config;

import org.jspecify.annotations.NullMarked;
