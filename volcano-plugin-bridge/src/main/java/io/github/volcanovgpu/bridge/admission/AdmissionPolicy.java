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
 * @param gangQuota how a vcjob's gang is held against its namespace's device quotas at creation
 */
public record AdmissionPolicy(Optional<String> schedulerName, Optional<String> runtimeClassName,
    boolean denyPrivileged, GangQuota gangQuota) {
  /** How a vcjob's gang (its minAvailable pods) is held against the namespace's device quotas when it is created. */
  public enum GangQuota {
    /** Refused when the gang does not fit beside what the namespace holds now (as each of its pods would be). */
    USAGE,
    /** Refused only when the gang alone is more than a quota allows (it could never run); else it waits. */
    LIMIT,
    /** Not held at creation (its pods still are, one by one). */
    OFF
  }

  public AdmissionPolicy {
    Objects.requireNonNull(gangQuota, "gangQuota");
    Objects.requireNonNull(schedulerName, "schedulerName");
    Objects.requireNonNull(runtimeClassName, "runtimeClassName");
    schedulerName = schedulerName.filter(s -> !s.isBlank());
    runtimeClassName = runtimeClassName.filter(s -> !s.isBlank());
  }

  /** A policy holding gangs to the namespace's current use. */
  public AdmissionPolicy(Optional<String> schedulerName, Optional<String> runtimeClassName, boolean denyPrivileged) {
    this(schedulerName, runtimeClassName, denyPrivileged, GangQuota.USAGE);
  }

  /** Nothing written, privileged shares refused, gangs held to the namespace's current use. */
  public static AdmissionPolicy defaults() {
    return new AdmissionPolicy(Optional.empty(), Optional.empty(), true);
  }
}
