/**
 * What the device plugin hands libvgpu in a container besides the device list: environment variable names and
 * the container limits file ({@link io.github.volcanovgpu.contract.env.LimitsFile}). The C side defines the same
 * names in {@code libvgpu-native/include/vgpu/core.h} and {@code limits_file.h}; golden files pin both writers.
 */
@NullMarked
package io.github.volcanovgpu.contract.env;

import org.jspecify.annotations.NullMarked;
