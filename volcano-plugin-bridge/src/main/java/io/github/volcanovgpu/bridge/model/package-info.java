@NullMarked
package io.github.volcanovgpu.bridge.model;

import org.jspecify.annotations.NullMarked;
