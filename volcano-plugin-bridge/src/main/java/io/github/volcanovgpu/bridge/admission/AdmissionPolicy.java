package io.github.volcanovgpu.bridge.admission;

import java.util.Objects;
import java.util.Optional;

/**
 * What the operator configures of admission.
 *
 * @param schedulerName written into {@code spec.schedulerName} of a pod asking for devices whose scheduler is unset
 *     or {@code default-scheduler} (e.g. {@code volcano}); empty: left as it is
 * @param runtimeClassName written into {@code spec.runtimeClassName} of such a pod when it has none; empty: not set
 * @param denyPrivileged refuse a pod asking for devices with a privileged container (it escapes every limit)
 */
public record AdmissionPolicy(Optional<String> schedulerName, Optional<String> runtimeClassName,
    boolean denyPrivileged) {
  public AdmissionPolicy {
    Objects.requireNonNull(schedulerName, "schedulerName");
    Objects.requireNonNull(runtimeClassName, "runtimeClassName");
    schedulerName = schedulerName.filter(s -> !s.isBlank());
    runtimeClassName = runtimeClassName.filter(s -> !s.isBlank());
  }

  /** Nothing written, privileged shares refused. */
  public static AdmissionPolicy defaults() {
    return new AdmissionPolicy(Optional.empty(), Optional.empty(), true);
  }
}
