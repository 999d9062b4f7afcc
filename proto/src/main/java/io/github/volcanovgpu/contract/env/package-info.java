/**
 * What the device plugin hands libvgpu in a container besides the device list: environment variable names
 * ({@link io.github.volcanovgpu.contract.env.CudaEnv}, {@link io.github.volcanovgpu.contract.env.NpuEnv}) and the
 * container limits file ({@link io.github.volcanovgpu.contract.env.LimitsFile}). The C side defines the same names
 * in {@code libvgpu-native/include/vgpu/core.h} and {@code limits_file.h}; a test reads those headers and checks
 * every name and default against these classes, and golden files pin both limits-file writers.
 */
@NullMarked
package io.github.volcanovgpu.contract.env;

import org.jspecify.annotations.NullMarked;
