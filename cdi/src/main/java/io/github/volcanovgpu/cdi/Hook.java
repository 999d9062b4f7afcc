package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An OCI hook ({@code Hook}).
 *
 * @param hookName one of {@link #NAMES}
 * @param path absolute path of the executable
 * @param args argv, including argv[0]
 * @param env {@code NAME=VALUE} entries
 * @param timeout seconds, positive when set
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"hookName", "path", "args", "env", "timeout"})
public record Hook(String hookName, String path, List<String> args, List<String> env, @Nullable Integer timeout) {
  /** The OCI hook names CDI accepts ({@code pkg/cdi/container-edits.go}). */
  public static final Set<String> NAMES = Set.of("prestart", "createRuntime", "createContainer", "startContainer",
      "poststart", "poststop");

  public Hook(@Nullable String hookName, @Nullable String path, @Nullable List<String> args,
      @Nullable List<String> env, @Nullable Integer timeout) {
    this.hookName = hookName == null ? "" : hookName;
    this.path = path == null ? "" : path;
    this.args = Copies.list(args);
    this.env = Copies.list(env);
    this.timeout = timeout;
  }
}
