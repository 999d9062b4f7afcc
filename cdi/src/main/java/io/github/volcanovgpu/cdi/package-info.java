/**
 * The Container Device Interface (CDI) spec as records, its naming and annotation rules, the minimum spec version a
 * spec needs, and strict JSON/YAML reading and writing. Follows cncf-tags/container-device-interface (spec 1.1.0):
 * {@code specs-go/config.go}, {@code specs-go/version.go}, {@code pkg/parser}, {@code pkg/cdi/annotations.go}.
 */
@NullMarked
package io.github.volcanovgpu.cdi;

import org.jspecify.annotations.NullMarked;
