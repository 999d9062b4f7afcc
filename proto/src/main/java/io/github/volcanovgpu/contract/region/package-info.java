/**
 * libvgpu's shared accounting region as node readers see it: its binary layout ({@link RegionLayout}, pinned against
 * the C header's offsetof/sizeof by the golden {@code libvgpu-native/tests/golden/region-layout.txt}) and a pure
 * decoder of a region's bytes ({@link RegionDecoder}).
 */
@NullMarked
package io.github.volcanovgpu.contract.region;

import org.jspecify.annotations.NullMarked;
