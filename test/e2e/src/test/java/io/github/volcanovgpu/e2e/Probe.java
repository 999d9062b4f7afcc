package io.github.volcanovgpu.e2e;

import io.github.volcanovgpu.contract.env.CudaEnv;
import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.contract.env.NpuEnv;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The last hop: libvgpu's {@code vgpu-probe} run as a process of the container the Allocate response describes,
 * on the stub driver: the response's envs, {@code LD_PRELOAD} of the library its mounts put at
 * {@code /usr/local/vgpu/libvgpu.so}, the shared-cache path translated to the host directory its mount names.
 */
final class Probe {
  /** One probe run: the output line and the exit code (0 ok, 2 OOM). */
  record Result(int exit, String line) {
    boolean ok() {
      return exit == 0 && line.startsWith("ok ");
    }

    boolean oom() {
      return exit == 2 && line.startsWith("oom ");
    }
  }

  private final Path nativeDir;

  private Probe(Path nativeDir) {
    this.nativeDir = nativeDir;
  }

  /** libvgpu-native/target/native, built by the reactor before this module; missing is a failure under CI=true. */
  static Probe locate() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path n = dir.resolve("libvgpu-native/target/native");
      if (Files.isExecutable(n.resolve("bin/vgpu-probe")) && Files.isRegularFile(n.resolve("lib/libvgpu.so"))) {
        return new Probe(n);
      }
    }
    String why = "libvgpu-native/target/native/bin/vgpu-probe is not built (mvn -pl libvgpu-native verify)";
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true, so this is a failure, not a skip: " + why);
    }
    Assumptions.abort(why);
    throw new AssertionError(why);
  }

  Path library() {
    return nativeDir.resolve("lib/libvgpu.so");
  }

  /** Allocates {@code mib} MiB on CUDA device {@code device} inside the container the response describes. */
  Result run(ContainerAllocateResponse response, int device, long mib, long cardMib, int visibleCards)
      throws IOException, InterruptedException {
    return probe("vgpu-probe", response, device, mib, Map.of("STUB_CUDA_TOTAL_MEM", cardMib + "m",
        "STUB_CUDA_DEVICES", Integer.toString(Math.max(1, visibleCards)), CudaEnv.LOG_LEVEL, "1"));
  }

  /** Allocates {@code mib} MiB on NPU {@code device} (ACL) inside the container the response describes. */
  Result runNpu(ContainerAllocateResponse response, int device, long mib, long npuMib, int visibleNpus)
      throws IOException, InterruptedException {
    return probe("npu-probe", response, device, mib, Map.of("STUB_NPU_TOTAL_MEM", npuMib + "m",
        "STUB_NPU_DEVICES", Integer.toString(Math.max(1, visibleNpus)), NpuEnv.LOG_LEVEL, "1"));
  }

  /**
   * Runs a probe as the container would run: the response's envs, every path in them that lies under one of its
   * mounts moved to the mount's host path (the shared regions, the registries), libvgpu preloaded, and the
   * read-only limits file the response mounts at {@link LimitsFile#CONTAINER_PATH} given through
   * {@link LimitsFile#OVERRIDE_ENV} (libvgpu reads that only while the mounted path does not exist, as on this host).
   */
  private Result probe(String tool, ContainerAllocateResponse response, int device, long mib,
      Map<String, String> stub) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(nativeDir.resolve("bin").resolve(tool).toString(), "--device",
        Integer.toString(device), "--alloc-mib", Long.toString(mib)).redirectErrorStream(false);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CUDA_") || k.startsWith("NPU_") || k.startsWith("LD_")
        || k.startsWith("STUB_") || k.startsWith("VGPU_") || k.startsWith("ASCEND_"));
    Path preload = library();
    for (Map.Entry<String, String> e : response.getEnvsMap().entrySet()) {
      env.put(e.getKey(), onHost(response, e.getValue()));
    }
    for (Mount m : response.getMountsList()) {
      if (m.getContainerPath().endsWith("/libvgpu.so")) {
        preload = Path.of(m.getHostPath());
      }
      if (m.getContainerPath().equals(LimitsFile.CONTAINER_PATH)) {
        env.put(LimitsFile.OVERRIDE_ENV, m.getHostPath());
      }
    }
    env.put("LD_PRELOAD", preload.toString());
    env.put("LD_LIBRARY_PATH", nativeDir.resolve("stub").toString());
    env.putAll(stub);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(tool + " hung");
    }
    return new Result(p.exitValue(), out.isEmpty() ? err : out);
  }

  /** A container path of the response's mounts as its host path (parent directories created); others unchanged. */
  private static String onHost(ContainerAllocateResponse response, String value) throws IOException {
    for (Mount m : response.getMountsList()) {
      String c = m.getContainerPath();
      if (value.startsWith(c + "/") && !m.getReadOnly()) {
        Path host = Path.of(m.getHostPath()).resolve(value.substring(c.length() + 1));
        Files.createDirectories(host.getParent());
        return host.toString();
      }
    }
    return value;
  }
}
