/** The admission webhook's contract with the API server and with users: paths, opt-out label, quota names. */
@NullMarked
package io.github.volcanovgpu.contract.admission;

import org.jspecify.annotations.NullMarked;
