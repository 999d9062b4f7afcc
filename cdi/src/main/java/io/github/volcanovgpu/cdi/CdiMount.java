package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A mount ({@code Mount}).
 *
 * @param hostPath source on the host (required)
 * @param containerPath destination in the container (required)
 * @param options mount options, e.g. {@code ro}, {@code nosuid}, {@code bind}
 * @param type filesystem type (0.4.0), null when not given
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"hostPath", "containerPath", "options", "type"})
public record CdiMount(String hostPath, String containerPath, List<String> options, @Nullable String type) {
  public CdiMount(@Nullable String hostPath, @Nullable String containerPath, @Nullable List<String> options,
      @Nullable String type) {
    this.hostPath = hostPath == null ? "" : hostPath;
    this.containerPath = containerPath == null ? "" : containerPath;
    this.options = Copies.list(options);
    this.type = type;
  }

  /** A bind mount, read-only or read-write, with {@code nosuid,nodev} like NVIDIA's generated mounts. */
  public static CdiMount bind(String hostPath, String containerPath, boolean readOnly) {
    return new CdiMount(hostPath, containerPath,
        List.of(readOnly ? "ro" : "rw", "nosuid", "nodev", "rbind", "rprivate"), null);
  }
}
