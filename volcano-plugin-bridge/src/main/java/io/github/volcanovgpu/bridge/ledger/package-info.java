@NullMarked
package io.github.volcanovgpu.bridge.ledger;

import org.jspecify.annotations.NullMarked;
