/** Tests of the Helm chart {@code charts/volcano-vgpu}, rendered and linted by real Helm (helm-java). */
@NullMarked
package io.github.volcanovgpu.e2e.chart;

import org.jspecify.annotations.NullMarked;
