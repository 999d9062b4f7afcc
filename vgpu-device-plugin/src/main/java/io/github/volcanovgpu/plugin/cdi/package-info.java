/**
 * CDI mode of the device plugin: the device-list strategies ({@code envvar}, {@code volume-mounts},
 * {@code cdi-annotations}, {@code cdi-cri}) and the {@link io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry} that
 * keeps the CDI spec files ahead of every Allocate response naming a CDI device.
 */
@NullMarked
package io.github.volcanovgpu.plugin.cdi;

import org.jspecify.annotations.NullMarked;
