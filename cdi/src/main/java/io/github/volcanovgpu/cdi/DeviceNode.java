package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.jspecify.annotations.Nullable;

/**
 * A device node to create in the container ({@code DeviceNode}).
 *
 * @param path path inside the container (required)
 * @param hostPath path on the host (0.5.0), null: same as {@code path}
 * @param type {@code b}, {@code c}, {@code u}, {@code p}, or null (taken from the host)
 * @param major major number, or null
 * @param minor minor number, or null
 * @param fileMode the file mode as an integer, or null
 * @param permissions cgroup permissions, a combination of {@code rwm} ({@code null}/empty: {@code rwm})
 * @param uid owner, or null
 * @param gid group, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"path", "hostPath", "type", "major", "minor", "fileMode", "permissions", "uid", "gid"})
public record DeviceNode(String path, @Nullable String hostPath, @Nullable String type, @Nullable Long major,
    @Nullable Long minor, @Nullable Integer fileMode, @Nullable String permissions, @Nullable Long uid,
    @Nullable Long gid) {
  public DeviceNode(@Nullable String path, @Nullable String hostPath, @Nullable String type, @Nullable Long major,
      @Nullable Long minor, @Nullable Integer fileMode, @Nullable String permissions, @Nullable Long uid,
      @Nullable Long gid) {
    this.path = path == null ? "" : path;
    this.hostPath = hostPath;
    this.type = type;
    this.major = major;
    this.minor = minor;
    this.fileMode = fileMode;
    this.permissions = permissions;
    this.uid = uid;
    this.gid = gid;
  }

  /** A node at the same path inside and outside, everything else taken from the host at injection. */
  public static DeviceNode of(String path) {
    return new DeviceNode(path, null, null, null, null, null, null, null, null);
  }

  /** A node at {@code path} in the container, created from {@code hostPath}. */
  public static DeviceNode of(String path, String hostPath) {
    return new DeviceNode(path, hostPath, null, null, null, null, null, null, null);
  }
}
