/** Writing CDI spec files atomically into a spec directory (default {@code /var/run/cdi}) and removing stale ones. */
@NullMarked
package io.github.volcanovgpu.cdi.store;

import org.jspecify.annotations.NullMarked;
