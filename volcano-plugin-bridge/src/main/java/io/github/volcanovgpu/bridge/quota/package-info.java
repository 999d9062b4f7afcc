/**
 * Device quotas per namespace, pure: the pod's demand per kind (max of the app containers' sum and the largest init
 * container), a namespace's usage from the ledgers, and the check against the ResourceQuotas' {@code limits.<resource>}
 * entries. Used by the admission webhook and by the predicate alike.
 */
@NullMarked
package io.github.volcanovgpu.bridge.quota;

import org.jspecify.annotations.NullMarked;
