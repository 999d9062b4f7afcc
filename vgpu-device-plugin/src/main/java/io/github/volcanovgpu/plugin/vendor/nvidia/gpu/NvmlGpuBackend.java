package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.github.volcanovgpu.plugin.device.DiscoveryException;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.process.DaemonThreads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs from NVML ({@code libnvidia-ml.so.1}, loaded through JNA at first use). On a machine without the driver,
 * {@link #discover()} fails with a message naming the library and where it was looked for.
 */
public final class NvmlGpuBackend implements GpuBackend {
  private static final Logger LOG = LoggerFactory.getLogger(NvmlGpuBackend.class);
  static final String LIBRARY = "libnvidia-ml.so.1";

  private final Path driverRoot;
  private final Clock clock;
  private final List<Consumer<HealthEvent>> listeners = new CopyOnWriteArrayList<>();
  private @Nullable NvmlLibrary nvml;
  private @Nullable Thread watcher;
  private volatile boolean closed;

  /** @param driverRoot where the driver is installed ({@code /} on the host, {@code /driver-root} in a pod) */
  public NvmlGpuBackend(Path driverRoot, Clock clock) {
    this.driverRoot = driverRoot;
    this.clock = clock;
  }

  private synchronized NvmlLibrary nvml() {
    if (nvml != null) {
      return nvml;
    }
    String location = LIBRARY;
    for (String dir : List.of("usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/lib")) {
      Path candidate = driverRoot.resolve(dir).resolve(LIBRARY);
      if (Files.exists(candidate)) {
        location = candidate.toString();
        break;
      }
    }
    NvmlLibrary lib;
    try {
      lib = Native.load(location, NvmlLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      throw new DiscoveryException("cannot load " + LIBRARY + " (looked under driver root " + driverRoot
          + " and the system library path): is the NVIDIA driver installed on this node? Use --fake-gpus to run "
          + "without a GPU. (" + e.getMessage() + ")", e);
    }
    check(lib, lib.nvmlInit_v2(), "nvmlInit_v2");
    nvml = lib;
    return lib;
  }

  private static void check(NvmlLibrary lib, int ret, String call) {
    if (ret != NvmlLibrary.SUCCESS) {
      throw new DiscoveryException("NVML " + call + " failed: " + lib.nvmlErrorString(ret) + " (" + ret + ")");
    }
  }

  @Override
  public List<PhysicalGpu> discover() {
    NvmlLibrary lib = nvml();
    IntByReference count = new IntByReference();
    check(lib, lib.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount_v2");
    List<PhysicalGpu> gpus = new ArrayList<>();
    for (int i = 0; i < count.getValue(); i++) {
      PointerByReference handle = new PointerByReference();
      check(lib, lib.nvmlDeviceGetHandleByIndex_v2(i, handle), "nvmlDeviceGetHandleByIndex_v2(" + i + ")");
      Pointer d = handle.getValue();
      byte[] buf = new byte[NvmlLibrary.BUFFER_SIZE];
      check(lib, lib.nvmlDeviceGetUUID(d, buf, buf.length), "nvmlDeviceGetUUID");
      String uuid = cString(buf);
      buf = new byte[NvmlLibrary.BUFFER_SIZE];
      check(lib, lib.nvmlDeviceGetName(d, buf, buf.length), "nvmlDeviceGetName");
      String name = cString(buf);
      IntByReference minor = new IntByReference();
      check(lib, lib.nvmlDeviceGetMinorNumber(d, minor), "nvmlDeviceGetMinorNumber");
      NvmlLibrary.Memory memory = new NvmlLibrary.Memory();
      check(lib, lib.nvmlDeviceGetMemoryInfo(d, memory), "nvmlDeviceGetMemoryInfo");
      IntByReference numa = new IntByReference(-1);
      int numaRet = lib.nvmlDeviceGetNumaNodeId(d, numa);
      IntByReference current = new IntByReference();
      IntByReference pending = new IntByReference();
      boolean migCapable = lib.nvmlDeviceGetMigMode(d, current, pending) == NvmlLibrary.SUCCESS;
      gpus.add(new PhysicalGpu(uuid, minor.getValue(), name.replace(',', ' ').replace(':', ' '),
          memory.total / (1024 * 1024), numaRet == NvmlLibrary.SUCCESS ? numa.getValue() : -1, migCapable));
    }
    return gpus;
  }

  /**
   * Per card: memory in use, utilisation, and the compute processes with their memory and (where the driver keeps
   * samples) their SM share since the previous call. A card whose process list the driver refuses is reported
   * without processes.
   */
  @Override
  public List<CardUsage> usage() {
    NvmlLibrary lib = nvml();
    IntByReference count = new IntByReference();
    check(lib, lib.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount_v2");
    List<CardUsage> out = new ArrayList<>();
    for (int i = 0; i < count.getValue(); i++) {
      PointerByReference handle = new PointerByReference();
      check(lib, lib.nvmlDeviceGetHandleByIndex_v2(i, handle), "nvmlDeviceGetHandleByIndex_v2(" + i + ")");
      Pointer d = handle.getValue();
      byte[] buf = new byte[NvmlLibrary.BUFFER_SIZE];
      check(lib, lib.nvmlDeviceGetUUID(d, buf, buf.length), "nvmlDeviceGetUUID");
      NvmlLibrary.Memory memory = new NvmlLibrary.Memory();
      check(lib, lib.nvmlDeviceGetMemoryInfo(d, memory), "nvmlDeviceGetMemoryInfo");
      NvmlLibrary.Utilization util = new NvmlLibrary.Utilization();
      int utilRet = lib.nvmlDeviceGetUtilizationRates(d, util);
      Map<Integer, Integer> smByPid = processUtilization(lib, d);
      List<CardUsage.ProcessUsage> processes = new ArrayList<>();
      for (long[] p : computeProcesses(lib, d)) {
        int pid = (int) p[0];
        if (pid > 0) {
          processes.add(new CardUsage.ProcessUsage(pid, Math.max(0, p[1]), smByPid.getOrDefault(pid, 0)));
        }
      }
      out.add(new CardUsage(cString(buf), memory.used, utilRet == NvmlLibrary.SUCCESS
          ? Math.min(100, Math.max(0, util.gpu)) : 0, processes));
    }
    return out;
  }

  /** {pid, usedGpuMemory} per compute process; empty when the driver refuses. */
  private static List<long[]> computeProcesses(NvmlLibrary lib, Pointer d) {
    IntByReference n = new IntByReference(0);
    int ret = lib.nvmlDeviceGetComputeRunningProcesses_v3(d, n, Pointer.NULL);
    if (ret == NvmlLibrary.SUCCESS || ret != NvmlLibrary.ERROR_INSUFFICIENT_SIZE) {
      return List.of();
    }
    int capacity = n.getValue() + 8; // processes may start between the two calls
    Memory infos = new Memory((long) capacity * NvmlLibrary.PROCESS_INFO_BYTES);
    n.setValue(capacity);
    if (lib.nvmlDeviceGetComputeRunningProcesses_v3(d, n, infos) != NvmlLibrary.SUCCESS) {
      return List.of();
    }
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < n.getValue(); i++) {
      long at = (long) i * NvmlLibrary.PROCESS_INFO_BYTES;
      out.add(new long[] {Integer.toUnsignedLong(infos.getInt(at)), infos.getLong(at + 8)});
    }
    return out;
  }

  /** SM percent per pid from the driver's samples; empty when it keeps none (or does not support them). */
  private static Map<Integer, Integer> processUtilization(NvmlLibrary lib, Pointer d) {
    IntByReference n = new IntByReference(0);
    int ret = lib.nvmlDeviceGetProcessUtilization(d, Pointer.NULL, n, 0);
    if (ret != NvmlLibrary.ERROR_INSUFFICIENT_SIZE || n.getValue() <= 0) {
      return Map.of();
    }
    Memory samples = new Memory((long) n.getValue() * NvmlLibrary.PROCESS_UTIL_BYTES);
    if (lib.nvmlDeviceGetProcessUtilization(d, samples, n, 0) != NvmlLibrary.SUCCESS) {
      return Map.of();
    }
    Map<Integer, Integer> out = new HashMap<>();
    for (int i = 0; i < n.getValue(); i++) {
      long at = (long) i * NvmlLibrary.PROCESS_UTIL_BYTES;
      out.merge(samples.getInt(at), Math.min(100, Math.max(0, samples.getInt(at + 16))), Math::max);
    }
    return out;
  }

  private static String cString(byte[] buf) {
    int end = 0;
    while (end < buf.length && buf[end] != 0) {
      end++;
    }
    return new String(buf, 0, end, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void watchHealth(Consumer<HealthEvent> listener) {
    if (!listeners.contains(listener)) {
      listeners.add(listener);
    }
    if (watcher != null) {
      return;
    }
    NvmlLibrary lib = nvml();
    PointerByReference setRef = new PointerByReference();
    check(lib, lib.nvmlEventSetCreate(setRef), "nvmlEventSetCreate");
    Pointer set = setRef.getValue();
    IntByReference count = new IntByReference();
    check(lib, lib.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount_v2");
    for (int i = 0; i < count.getValue(); i++) {
      PointerByReference handle = new PointerByReference();
      if (lib.nvmlDeviceGetHandleByIndex_v2(i, handle) != NvmlLibrary.SUCCESS) {
        continue;
      }
      LongByReference supported = new LongByReference();
      lib.nvmlDeviceGetSupportedEventTypes(handle.getValue(), supported);
      long mask = supported.getValue() & (NvmlLibrary.EVENT_XID_CRITICAL | NvmlLibrary.EVENT_DOUBLE_BIT_ECC);
      int ret = lib.nvmlDeviceRegisterEvents(handle.getValue(), mask, set);
      if (ret != NvmlLibrary.SUCCESS && ret != NvmlLibrary.ERROR_NOT_SUPPORTED) {
        LOG.warn("cannot watch GPU {} for XID events: {}", i, lib.nvmlErrorString(ret));
      }
    }
    watcher = DaemonThreads.start("nvml-health", () -> loop(lib, set));
  }

  private void loop(NvmlLibrary lib, Pointer set) {
    while (!closed) {
      NvmlLibrary.EventData data = new NvmlLibrary.EventData();
      int ret = lib.nvmlEventSetWait_v2(set, data, 5000);
      if (ret == NvmlLibrary.ERROR_TIMEOUT) {
        continue;
      }
      HealthEvent event;
      if (ret != NvmlLibrary.SUCCESS) {
        event = new HealthEvent("", 999, "NVML event wait failed: " + lib.nvmlErrorString(ret), clock.instant());
      } else {
        byte[] buf = new byte[NvmlLibrary.BUFFER_SIZE];
        String uuid = lib.nvmlDeviceGetUUID(data.device, buf, buf.length) == NvmlLibrary.SUCCESS ? cString(buf) : "";
        long xid = data.eventType == NvmlLibrary.EVENT_XID_CRITICAL ? data.eventData : 48; // 48: double-bit ECC
        event = new HealthEvent(uuid, xid, "NVML event type 0x" + Long.toHexString(data.eventType), clock.instant());
      }
      for (Consumer<HealthEvent> l : listeners) {
        l.accept(event);
      }
      if (ret != NvmlLibrary.SUCCESS) {
        return; // all devices are reported unhealthy; a restart of the plugin re-arms the watch
      }
    }
    lib.nvmlEventSetFree(set);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (nvml != null && watcher == null) {
      nvml.nvmlShutdown();
    }
  }
}
