package io.github.volcanovgpu.bridge.scheduling;

import java.util.Objects;

/**
 * Answer to a predicate: Volcano's status code and a human-readable reason (empty on success).
 *
 * @param code 0 Success, 1 Error, 2 Unschedulable, 3 UnschedulableAndUnresolvable
 */
public record PredicateResult(int code, String reason) {
  public static final int SUCCESS = 0;
  public static final int ERROR = 1;
  public static final int UNSCHEDULABLE = 2;
  public static final int UNSCHEDULABLE_AND_UNRESOLVABLE = 3;

  private static final PredicateResult OK = new PredicateResult(SUCCESS, "");

  public PredicateResult {
    Objects.requireNonNull(reason, "reason");
    if (code != SUCCESS && reason.isEmpty()) {
      throw new IllegalArgumentException("a rejection needs a reason");
    }
  }

  public static PredicateResult fits() {
    return OK;
  }

  public static PredicateResult unschedulable(String reason) {
    return new PredicateResult(UNSCHEDULABLE, reason);
  }

  public static PredicateResult unresolvable(String reason) {
    return new PredicateResult(UNSCHEDULABLE_AND_UNRESOLVABLE, reason);
  }

  public static PredicateResult error(String reason) {
    return new PredicateResult(ERROR, reason);
  }

  public boolean isSuccess() {
    return code == SUCCESS;
  }
}
