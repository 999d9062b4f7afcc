package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The enforced-limit check of {@code simulate}: for each GPU container of a placed pod, libvgpu's {@code vgpu-probe}
 * (stub driver, {@code LD_PRELOAD=libvgpu.so}) runs with the envs the device plugin gives that container
 * ({@code CUDA_DEVICE_MEMORY_LIMIT_<i>=<MiB>m} per assigned card, {@code CUDA_DEVICE_SM_LIMIT}, a fresh
 * {@code CUDA_DEVICE_MEMORY_SHARED_CACHE}) and {@code STUB_CUDA_TOTAL_MEM} = the card's memory: allocating the share
 * must succeed and one MiB more must fail with out-of-memory. Needs {@code libvgpu-native/target/native} (built by
 * {@code mvn verify}); without it the check is not available.
 */
public final class LimitCheck {
  private final Path nativeDir;
  private final Path scratch;
  private final int memoryFactor;

  private LimitCheck(Path nativeDir, Path scratch, int memoryFactor) {
    this.nativeDir = nativeDir;
    this.scratch = scratch;
    this.memoryFactor = memoryFactor;
  }

  /** Finds {@code libvgpu-native/target/native} in {@code start} or a directory above it. */
  public static Optional<LimitCheck> locate(Path start, int memoryFactor) throws IOException {
    for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path n = dir.resolve("libvgpu-native/target/native");
      if (Files.isExecutable(n.resolve("bin/vgpu-probe")) && Files.isRegularFile(n.resolve("lib/libvgpu.so"))
          && Files.isDirectory(n.resolve("stub"))) {
        return Optional.of(new LimitCheck(n, Files.createTempDirectory("vgpu-simulate"), memoryFactor));
      }
    }
    return Optional.empty();
  }

  public Path nativeDir() {
    return nativeDir;
  }

  /**
   * Checks every GPU container of the pod.
   *
   * @param cardMib the physical memory of a card by UUID
   * @return {@code ok} when every share is enforced, else what failed
   */
  public String check(PodView pod, ToLongFunction<String> cardMib) throws IOException, InterruptedException {
    String ids = pod.annotations().getOrDefault(VgpuAnnotations.VGPU_IDS_NEW, "");
    PodDevices devices = PodDevicesCodec.decodeLenient(ids);
    List<String> problems = new ArrayList<>();
    int containers = 0;
    for (int c = 0; c < devices.containers().size(); c++) {
      List<DeviceSlice> slices = devices.containers().get(c);
      if (slices.isEmpty()) {
        continue;
      }
      containers++;
      Path cache = scratch.resolve(pod.uid() + "_" + c + ".cache");
      Files.deleteIfExists(cache);
      for (int i = 0; i < slices.size(); i++) {
        long mib = Math.multiplyExact(slices.get(i).memoryUnits(), (long) memoryFactor);
        long card = cardMib.applyAsLong(slices.get(i).uuid());
        String within = probe(slices, i, mib, card, cache);
        String past = probe(slices, i, mib + 1, card, cache);
        if (!within.startsWith("ok ")) {
          problems.add("container " + c + " device " + i + ": " + mib + " MiB refused: " + within);
        }
        if (!past.startsWith("oom ")) {
          problems.add("container " + c + " device " + i + ": " + (mib + 1) + " MiB not refused: " + past);
        }
      }
      Files.deleteIfExists(cache);
    }
    if (containers == 0) {
      return "-";
    }
    return problems.isEmpty() ? "ok" : "FAIL " + String.join("; ", problems);
  }

  private String probe(List<DeviceSlice> slices, int device, long mib, long cardMib, Path cache)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(nativeDir.resolve("bin/vgpu-probe").toString(), "--device",
        Integer.toString(device), "--alloc-mib", Long.toString(mib));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CUDA_") || k.startsWith("LD_") || k.startsWith("STUB_"));
    for (int i = 0; i < slices.size(); i++) {
      env.put("CUDA_DEVICE_MEMORY_LIMIT_" + i, Math.multiplyExact(slices.get(i).memoryUnits(),
          (long) memoryFactor) + "m");
    }
    env.put("CUDA_DEVICE_SM_LIMIT", Integer.toString(slices.get(0).coresPercent()));
    env.put("CUDA_DEVICE_MEMORY_SHARED_CACHE", cache.toString());
    env.put("LD_PRELOAD", nativeDir.resolve("lib/libvgpu.so").toString());
    env.put("LD_LIBRARY_PATH", nativeDir.resolve("stub").toString());
    env.put("STUB_CUDA_TOTAL_MEM", cardMib + "m");
    env.put("STUB_CUDA_DEVICES", Integer.toString(slices.size()));
    env.put("LIBCUDA_LOG_LEVEL", "0");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "probe hung";
    }
    return Objects.requireNonNullElse(out, "") + (out.isEmpty() ? "exit " + p.exitValue() : "");
  }
}
