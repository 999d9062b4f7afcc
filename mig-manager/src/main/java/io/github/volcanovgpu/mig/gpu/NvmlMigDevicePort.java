package io.github.volcanovgpu.mig.gpu;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.MigProfile;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link MigDevicePort} over libnvidia-ml through JNA (reference deviceplugin-cdi-mig.md §5). Profiles come from
 * NVML: for each profile index the catalogue names for this model, NVML's id, instance count, memory and possible
 * placements replace the catalogue values (the catalogue only supplies the name). Create/destroy follow §5.5.
 * Not thread-safe; callers serialise (the reconciler and layout service hold a lock).
 */
public final class NvmlMigDevicePort implements MigDevicePort, AutoCloseable {
  static final String LIBRARY = "nvidia-ml";
  private static final int CI_PROFILE_COUNT = 9;
  private static final int CI_ENGINE_SHARED = 0;

  private final NvmlMigLibrary nvml;
  private final ProfileCatalogue catalogue;
  private final List<Pointer> handles = new ArrayList<>();
  private final List<GpuInfo> infos = new ArrayList<>();
  private final Map<Integer, Map<String, Integer>> profileIds = new HashMap<>();

  private NvmlMigDevicePort(NvmlMigLibrary nvml, ProfileCatalogue catalogue) {
    this.nvml = nvml;
    this.catalogue = catalogue;
  }

  /**
   * Loads libnvidia-ml (from {@code driverRoot} if it has one, else the system path) and initialises NVML.
   *
   * @throws MigPortException with a clear message when no driver is installed
   */
  public static NvmlMigDevicePort open(Path driverRoot, ProfileCatalogue catalogue) {
    String location = LIBRARY;
    for (String dir : List.of("usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/lib")) {
      Path candidate = driverRoot.resolve(dir).resolve("libnvidia-ml.so.1");
      if (Files.exists(candidate)) {
        location = candidate.toString();
        break;
      }
    }
    NvmlMigLibrary lib;
    try {
      lib = Native.load(location, NvmlMigLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      throw new MigPortException("cannot load libnvidia-ml.so.1 (looked under " + driverRoot
          + " and the system library path): is the NVIDIA driver installed? Use --fake-gpus to run without a GPU. ("
          + firstLine(String.valueOf(e.getMessage())) + ")", 12);
    }
    NvmlMigDevicePort port = new NvmlMigDevicePort(lib, catalogue);
    port.check(lib.nvmlInit_v2(), "nvmlInit_v2");
    port.discover();
    return port;
  }

  private void discover() {
    IntByReference count = new IntByReference();
    check(nvml.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount_v2");
    for (int i = 0; i < count.getValue(); i++) {
      PointerByReference h = new PointerByReference();
      check(nvml.nvmlDeviceGetHandleByIndex_v2(i, h), "nvmlDeviceGetHandleByIndex_v2(" + i + ")");
      Pointer d = h.getValue();
      byte[] uuid = new byte[NvmlMigLibrary.BUFFER_SIZE];
      check(nvml.nvmlDeviceGetUUID(d, uuid, uuid.length), "nvmlDeviceGetUUID");
      byte[] name = new byte[NvmlMigLibrary.BUFFER_SIZE];
      check(nvml.nvmlDeviceGetName(d, name, name.length), "nvmlDeviceGetName");
      Memory pci = new Memory(68);
      pci.clear();
      check(nvml.nvmlDeviceGetPciInfo_v3(d, pci), "nvmlDeviceGetPciInfo_v3");
      Memory mem = new Memory(24);
      check(nvml.nvmlDeviceGetMemoryInfo(d, mem), "nvmlDeviceGetMemoryInfo");
      String pciId = String.format(Locale.ROOT, "0x%08X", pci.getInt(28) & 0xFFFFFFFFL);
      handles.add(d);
      infos.add(new GpuInfo(i, cString(uuid), cString(name), pciId, mem.getLong(0) / (1024 * 1024)));
    }
  }

  @Override
  public List<GpuInfo> gpus() {
    return List.copyOf(infos);
  }

  @Override
  public MigMode migMode(int gpu) {
    IntByReference current = new IntByReference();
    IntByReference pending = new IntByReference();
    int r = nvml.nvmlDeviceGetMigMode(handle(gpu), current, pending);
    if (r == NvmlMigLibrary.ERROR_NOT_SUPPORTED) {
      return MigMode.NOT_CAPABLE;
    }
    check(r, "nvmlDeviceGetMigMode(GPU " + gpu + ")");
    return new MigMode(true, current.getValue() == 1, pending.getValue() == 1);
  }

  @Override
  public void setMigMode(int gpu, boolean enabled) {
    IntByReference activation = new IntByReference();
    check(nvml.nvmlDeviceSetMigMode(handle(gpu), enabled ? 1 : 0, activation),
        "nvmlDeviceSetMigMode(GPU " + gpu + ", " + (enabled ? "enable" : "disable") + ")");
  }

  @Override
  public List<MigProfile> profiles(int gpu) {
    GpuInfo info = infos.get(checkIndex(gpu));
    Optional<GpuModel> model = catalogue.model(gpu, info.name(), info.pciDeviceId());
    if (model.isEmpty() || !migMode(gpu).capable()) {
      return List.of();
    }
    List<MigProfile> out = new ArrayList<>();
    Map<String, Integer> ids = new HashMap<>();
    for (MigProfile p : model.get().profiles()) {
      Memory pi = new Memory(48);
      pi.clear();
      int r = nvml.nvmlDeviceGetGpuInstanceProfileInfo(handle(gpu), p.nvmlIndex(), pi);
      if (r == NvmlMigLibrary.ERROR_NOT_SUPPORTED || r == NvmlMigLibrary.ERROR_INVALID_ARGUMENT) {
        continue;
      }
      check(r, "nvmlDeviceGetGpuInstanceProfileInfo(GPU " + gpu + ", " + p.name() + ")");
      int id = pi.getInt(0);
      int instances = pi.getInt(12);
      long memoryMib = pi.getLong(40);
      IntByReference n = new IntByReference(0);
      check(nvml.nvmlDeviceGetGpuInstancePossiblePlacements_v2(handle(gpu), id, Pointer.NULL, n),
          "nvmlDeviceGetGpuInstancePossiblePlacements_v2(count)");
      if (n.getValue() == 0 || instances == 0) {
        continue;
      }
      Memory placements = new Memory(8L * n.getValue());
      check(nvml.nvmlDeviceGetGpuInstancePossiblePlacements_v2(handle(gpu), id, placements, n),
          "nvmlDeviceGetGpuInstancePossiblePlacements_v2");
      List<Integer> starts = new ArrayList<>();
      int size = p.memorySlices();
      for (int k = 0; k < n.getValue(); k++) {
        starts.add(placements.getInt(8L * k));
        size = placements.getInt(8L * k + 4);
      }
      ids.put(p.name(), id);
      out.add(new MigProfile(p.name(), p.nvmlIndex(), p.computeSlices(), size, instances, memoryMib, starts));
    }
    profileIds.put(gpu, ids);
    return out;
  }

  @Override
  public List<GpuInstance> gpuInstances(int gpu) {
    List<GpuInstance> out = new ArrayList<>();
    for (Map.Entry<String, Integer> e : ids(gpu).entrySet()) {
      for (Pointer gi : instancesOf(gpu, e.getValue())) {
        Memory info = new Memory(24);
        check(nvml.nvmlGpuInstanceGetInfo(gi, info), "nvmlGpuInstanceGetInfo");
        List<Integer> cis = new ArrayList<>();
        for (Pointer ci : computeInstancesOf(gi)) {
          Memory ciInfo = new Memory(32);
          check(nvml.nvmlComputeInstanceGetInfo_v2(ci, ciInfo), "nvmlComputeInstanceGetInfo_v2");
          cis.add(ciInfo.getInt(16));
        }
        out.add(new GpuInstance(info.getInt(8), e.getKey(), info.getInt(16), info.getInt(20), cis));
      }
    }
    return out;
  }

  @Override
  public GpuInstance createGpuInstance(int gpu, MigProfile profile, int start) {
    Integer id = ids(gpu).get(profile.name());
    if (id == null) {
      throw new MigPortException("GPU " + gpu + ": NVML does not offer profile " + profile.name(), 3);
    }
    Memory placement = new Memory(8);
    placement.setInt(0, start);
    placement.setInt(4, profile.memorySlices());
    PointerByReference gi = new PointerByReference();
    check(nvml.nvmlDeviceCreateGpuInstanceWithPlacement(handle(gpu), id, placement, gi),
        "nvmlDeviceCreateGpuInstanceWithPlacement(GPU " + gpu + ", " + profile.name() + " at " + start + ")");
    Memory info = new Memory(24);
    check(nvml.nvmlGpuInstanceGetInfo(gi.getValue(), info), "nvmlGpuInstanceGetInfo");
    return new GpuInstance(info.getInt(8), profile.name(), info.getInt(16), info.getInt(20), List.of());
  }

  @Override
  public int createComputeInstance(int gpu, int gpuInstanceId) {
    Pointer gi = gpuInstance(gpu, gpuInstanceId);
    Memory giInfo = new Memory(24);
    check(nvml.nvmlGpuInstanceGetInfo(gi, giInfo), "nvmlGpuInstanceGetInfo");
    // the full-size CI: the largest CI profile this GI accepts
    for (int index = CI_PROFILE_COUNT - 1; index >= 0; index--) {
      Memory ci = new Memory(36);
      ci.clear();
      int r = nvml.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, index, CI_ENGINE_SHARED, ci);
      if (r != NvmlMigLibrary.SUCCESS) {
        continue;
      }
      PointerByReference created = new PointerByReference();
      int c = nvml.nvmlGpuInstanceCreateComputeInstance(gi, ci.getInt(0), created);
      if (c == NvmlMigLibrary.SUCCESS) {
        Memory info = new Memory(32);
        check(nvml.nvmlComputeInstanceGetInfo_v2(created.getValue(), info), "nvmlComputeInstanceGetInfo_v2");
        return info.getInt(16);
      }
    }
    throw new MigPortException("GPU " + gpu + " GI " + gpuInstanceId + ": no compute instance could be created",
        23);
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    Pointer gi = gpuInstance(gpu, gpuInstanceId);
    for (Pointer ci : computeInstancesOf(gi)) {
      Memory info = new Memory(32);
      check(nvml.nvmlComputeInstanceGetInfo_v2(ci, info), "nvmlComputeInstanceGetInfo_v2");
      if (info.getInt(16) == computeInstanceId) {
        check(nvml.nvmlComputeInstanceDestroy(ci), "nvmlComputeInstanceDestroy(GPU " + gpu + " GI "
            + gpuInstanceId + " CI " + computeInstanceId + ")");
        return;
      }
    }
    throw new MigPortException("GPU " + gpu + " GI " + gpuInstanceId + ": no CI " + computeInstanceId, 6);
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    check(nvml.nvmlGpuInstanceDestroy(gpuInstance(gpu, gpuInstanceId)),
        "nvmlGpuInstanceDestroy(GPU " + gpu + " GI " + gpuInstanceId + ")");
  }

  @Override
  public List<MigDevice> migDevices(int gpu) {
    Map<Integer, GpuInstance> byId = new HashMap<>();
    for (GpuInstance gi : gpuInstances(gpu)) {
      byId.put(gi.id(), gi);
    }
    List<MigDevice> out = new ArrayList<>();
    for (Pointer mig : migHandles(gpu)) {
      byte[] uuid = new byte[NvmlMigLibrary.BUFFER_SIZE];
      check(nvml.nvmlDeviceGetUUID(mig, uuid, uuid.length), "nvmlDeviceGetUUID(MIG)");
      IntByReference giId = new IntByReference();
      IntByReference ciId = new IntByReference();
      check(nvml.nvmlDeviceGetGpuInstanceId(mig, giId), "nvmlDeviceGetGpuInstanceId");
      check(nvml.nvmlDeviceGetComputeInstanceId(mig, ciId), "nvmlDeviceGetComputeInstanceId");
      GpuInstance gi = byId.get(giId.getValue());
      out.add(new MigDevice(cString(uuid), giId.getValue(), ciId.getValue(), gi == null ? "" : gi.profile(),
          gi == null ? -1 : gi.start()));
    }
    return out;
  }

  @Override
  public boolean hasRunningClients(int gpu) {
    if (running(handle(gpu))) {
      return true;
    }
    for (Pointer mig : migHandles(gpu)) {
      if (running(mig)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    nvml.nvmlShutdown();
  }

  private boolean running(Pointer device) {
    IntByReference count = new IntByReference(0);
    int r = nvml.nvmlDeviceGetComputeRunningProcesses_v3(device, count, Pointer.NULL);
    if (r == NvmlMigLibrary.ERROR_INSUFFICIENT_SIZE) {
      return true;
    }
    if (r == NvmlMigLibrary.ERROR_NOT_SUPPORTED) {
      return false;
    }
    check(r, "nvmlDeviceGetComputeRunningProcesses_v3");
    return count.getValue() > 0;
  }

  private List<Pointer> migHandles(int gpu) {
    if (!migMode(gpu).current()) {
      return List.of();
    }
    IntByReference max = new IntByReference();
    check(nvml.nvmlDeviceGetMaxMigDeviceCount(handle(gpu), max), "nvmlDeviceGetMaxMigDeviceCount");
    List<Pointer> out = new ArrayList<>();
    for (int k = 0; k < max.getValue(); k++) {
      PointerByReference mig = new PointerByReference();
      int r = nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle(gpu), k, mig);
      if (r == NvmlMigLibrary.ERROR_NOT_FOUND || r == NvmlMigLibrary.ERROR_INVALID_ARGUMENT) {
        continue;
      }
      check(r, "nvmlDeviceGetMigDeviceHandleByIndex(" + k + ")");
      out.add(mig.getValue());
    }
    return out;
  }

  private List<Pointer> instancesOf(int gpu, int profileId) {
    IntByReference n = new IntByReference(0);
    Memory array = new Memory(8L * 8);
    int r = nvml.nvmlDeviceGetGpuInstances(handle(gpu), profileId, array, n);
    if (r == NvmlMigLibrary.ERROR_NOT_SUPPORTED || r == NvmlMigLibrary.ERROR_NOT_FOUND) {
      return List.of();
    }
    check(r, "nvmlDeviceGetGpuInstances");
    List<Pointer> out = new ArrayList<>();
    for (int k = 0; k < n.getValue(); k++) {
      out.add(array.getPointer(8L * k));
    }
    return out;
  }

  private List<Pointer> computeInstancesOf(Pointer gi) {
    List<Pointer> out = new ArrayList<>();
    for (int index = 0; index < CI_PROFILE_COUNT; index++) {
      Memory info = new Memory(36);
      info.clear();
      if (nvml.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, index, CI_ENGINE_SHARED, info)
          != NvmlMigLibrary.SUCCESS) {
        continue;
      }
      IntByReference n = new IntByReference(0);
      Memory array = new Memory(8L * 8);
      if (nvml.nvmlGpuInstanceGetComputeInstances(gi, info.getInt(0), array, n) != NvmlMigLibrary.SUCCESS) {
        continue;
      }
      for (int k = 0; k < n.getValue(); k++) {
        out.add(array.getPointer(8L * k));
      }
    }
    return out;
  }

  private Pointer gpuInstance(int gpu, int id) {
    PointerByReference gi = new PointerByReference();
    check(nvml.nvmlDeviceGetGpuInstanceById(handle(gpu), id, gi),
        "nvmlDeviceGetGpuInstanceById(GPU " + gpu + ", " + id + ")");
    return gi.getValue();
  }

  private Map<String, Integer> ids(int gpu) {
    Map<String, Integer> ids = profileIds.get(gpu);
    if (ids == null) {
      profiles(gpu);
      ids = profileIds.getOrDefault(gpu, Map.of());
    }
    return ids;
  }

  private Pointer handle(int gpu) {
    return handles.get(checkIndex(gpu));
  }

  private int checkIndex(int gpu) {
    if (gpu < 0 || gpu >= handles.size()) {
      throw new MigPortException("no GPU with index " + gpu, 28);
    }
    return gpu;
  }

  private void check(int result, String what) {
    if (result != NvmlMigLibrary.SUCCESS) {
      String text;
      try {
        text = Objects.requireNonNullElse(nvml.nvmlErrorString(result), "");
      } catch (RuntimeException | UnsatisfiedLinkError e) {
        text = "";
      }
      throw new MigPortException(what + " failed: NVML error " + result + (text.isEmpty() ? "" : " (" + text + ")"),
          result);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.endsWith(":") ? line.substring(0, line.length() - 1) : line;
  }

  private static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }
}
