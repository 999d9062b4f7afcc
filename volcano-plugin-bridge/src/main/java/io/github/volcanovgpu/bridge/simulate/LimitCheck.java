package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.env.CudaEnv;
import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.contract.env.NpuEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.ToLongFunction;

/**
 * The enforced-limit check of {@code simulate}: for each GPU container of a placed pod, libvgpu's {@code vgpu-probe}
 * (stub driver, {@code LD_PRELOAD=libvgpu.so}) runs with the envs the device plugin gives that container
 * ({@code CUDA_DEVICE_MEMORY_LIMIT_<i>=<MiB>m} per assigned card, {@code CUDA_DEVICE_SM_LIMIT}, a fresh
 * {@code CUDA_DEVICE_MEMORY_SHARED_CACHE}) and {@code STUB_CUDA_TOTAL_MEM} = the card's memory; for each Ascend
 * container on a hami-core node, {@code npu-probe} (stub Ascend runtime) with {@code NPU_MEM_QUOTA},
 * {@code NPU_CORE_PERCENT}, a fresh {@code NPU_LOCAL_SHM_PATH} and the container's limits file: allocating the share
 * must succeed and one MiB more must fail with out-of-memory. Template vNPUs (split by the driver) and Vastai
 * devices (whole) have no share for libvgpu to enforce. Needs {@code libvgpu-native/target/native} (built by
 * {@code mvn verify}); without it the check is not available.
 */
public final class LimitCheck {
  private static final String HAMI_PREFIX = "hami.io/";
  private static final String ALLOCATED_SUFFIX = "-devices-allocated";

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
   * Checks every GPU container of the pod, and every Ascend container whose chip runs hami-core on the pod's node.
   *
   * @param cardMib the physical memory of a card or NPU by id
   * @param softShared whether a chip (commonWord) shares its NPUs in hami-core mode on a node
   * @return {@code ok} when every share is enforced, {@code -} when the pod has none, else what failed
   */
  public String check(PodView pod, ToLongFunction<String> cardMib, BiPredicate<String, String> softShared)
      throws IOException, InterruptedException {
    String ids = pod.annotations().getOrDefault(VgpuAnnotations.VGPU_IDS_NEW, "");
    PodDevices devices = PodDevicesCodec.decodeLenient(ids);
    List<String> problems = new ArrayList<>();
    int containers = checkNpus(pod, cardMib, softShared, problems);
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

  /** The Ascend hami-core containers of the pod; returns how many were checked. */
  private int checkNpus(PodView pod, ToLongFunction<String> cardMib, BiPredicate<String, String> softShared,
      List<String> problems) throws IOException, InterruptedException {
    int containers = 0;
    for (Map.Entry<String, String> a : pod.annotations().entrySet()) {
      String key = a.getKey();
      if (!key.startsWith(HAMI_PREFIX) || !key.endsWith(ALLOCATED_SUFFIX)) {
        continue;
      }
      String chip = key.substring(HAMI_PREFIX.length(), key.length() - ALLOCATED_SUFFIX.length());
      if (chip.equals(VastaiAnnotations.COMMON_WORD) || !softShared.test(chip, pod.nodeName())) {
        continue;
      }
      PodDevices npus = PodDevicesCodec.decodeHamiLenient(a.getValue());
      for (int c = 0; c < npus.containers().size(); c++) {
        List<DeviceSlice> slices = npus.containers().get(c);
        if (slices.isEmpty()) {
          continue;
        }
        containers++;
        Path dir = Files.createDirectories(scratch.resolve(pod.uid() + "_npu_" + c));
        Path region = dir.resolve("vnpu.cache");
        Files.deleteIfExists(region);
        List<LimitsFile.Device> limits = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
          limits.add(new LimitsFile.Device(Integer.toString(i), slices.get(i).memoryUnits(),
              Math.min(100, slices.get(i).coresPercent()), ""));
        }
        Path limitsFile = Files.writeString(dir.resolve("limits"), LimitsFile.npu(limits, region.toString())
            .format(), StandardCharsets.US_ASCII);
        for (int i = 0; i < slices.size(); i++) {
          long mib = slices.get(i).memoryUnits();
          long card = cardMib.applyAsLong(slices.get(i).uuid());
          Map<String, String> env = new LinkedHashMap<>();
          env.put(NpuEnv.MEM_QUOTA, Long.toString(slices.get(0).memoryUnits()));
          if (slices.get(0).coresPercent() > 0) {
            env.put(NpuEnv.CORE_PERCENT, Integer.toString(slices.get(0).coresPercent()));
          }
          env.put(NpuEnv.LOCAL_SHM_PATH, region.toString());
          env.put(LimitsFile.OVERRIDE_ENV, limitsFile.toString());
          env.put("STUB_NPU_TOTAL_MEM", card + "m");
          env.put("STUB_NPU_DEVICES", Integer.toString(slices.size()));
          env.put(NpuEnv.LOG_LEVEL, "0");
          String within = run("npu-probe", i, mib, env);
          String past = run("npu-probe", i, mib + 1, env);
          if (!within.startsWith("ok ")) {
            problems.add(chip + " container " + c + " NPU " + i + ": " + mib + " MiB refused: " + within);
          }
          if (!past.startsWith("oom ")) {
            problems.add(chip + " container " + c + " NPU " + i + ": " + (mib + 1) + " MiB not refused: " + past);
          }
        }
        Files.deleteIfExists(region);
      }
    }
    return containers;
  }

  private String probe(List<DeviceSlice> slices, int device, long mib, long cardMib, Path cache)
      throws IOException, InterruptedException {
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < slices.size(); i++) {
      env.put(CudaEnv.perDevice(CudaEnv.MEMORY_LIMIT, i),
          Math.multiplyExact(slices.get(i).memoryUnits(), (long) memoryFactor) + "m");
    }
    env.put(CudaEnv.SM_LIMIT, Integer.toString(slices.get(0).coresPercent()));
    env.put(CudaEnv.SHARED_CACHE, cache.toString());
    env.put("STUB_CUDA_TOTAL_MEM", cardMib + "m");
    env.put("STUB_CUDA_DEVICES", Integer.toString(slices.size()));
    env.put(CudaEnv.LOG_LEVEL, "0");
    return run("vgpu-probe", device, mib, env);
  }

  /** Runs a probe of libvgpu-native under the preload with the stubs and {@code env}; its one-line answer. */
  private String run(String tool, int device, long mib, Map<String, String> extra)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(nativeDir.resolve("bin").resolve(tool).toString(), "--device",
        Integer.toString(device), "--alloc-mib", Long.toString(mib));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CUDA_") || k.startsWith("NPU_") || k.startsWith("LD_")
        || k.startsWith("STUB_") || k.startsWith("VGPU_"));
    env.putAll(extra);
    env.put("LD_PRELOAD", nativeDir.resolve("lib/libvgpu.so").toString());
    env.put("LD_LIBRARY_PATH", nativeDir.resolve("stub").toString());
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
