package io.github.volcanovgpu.bridge.model;

/** Volcano's TaskStatus bit flags ({@code pkg/scheduler/api/types.go}), as they appear in {@code TaskInfo.Status}. */
public final class TaskStatus {
  public static final int PENDING = 1;
  public static final int ALLOCATED = 2;
  public static final int PIPELINED = 4;
  public static final int BINDING = 8;
  public static final int BOUND = 16;
  public static final int RUNNING = 32;
  public static final int RELEASING = 64;
  public static final int SUCCEEDED = 128;
  public static final int FAILED = 256;
  public static final int UNKNOWN = 512;

  private TaskStatus() {}

  public static String name(int status) {
    return switch (status) {
      case PENDING -> "Pending";
      case ALLOCATED -> "Allocated";
      case PIPELINED -> "Pipelined";
      case BINDING -> "Binding";
      case BOUND -> "Bound";
      case RUNNING -> "Running";
      case RELEASING -> "Releasing";
      case SUCCEEDED -> "Succeeded";
      case FAILED -> "Failed";
      case UNKNOWN -> "Unknown";
      default -> "Status(" + status + ")";
    };
  }
}
