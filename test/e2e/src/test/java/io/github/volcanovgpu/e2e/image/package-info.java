/**
 * Tests of the container images {@code scripts/build-images.sh} writes: the archives' OCI and Docker documents,
 * layers and file systems, import into containerd, and a start of the image's JVM on its class-data archives.
 */
@NullMarked
package io.github.volcanovgpu.e2e.image;

import org.jspecify.annotations.NullMarked;
