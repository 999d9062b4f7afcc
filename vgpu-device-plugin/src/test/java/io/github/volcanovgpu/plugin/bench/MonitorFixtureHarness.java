package io.github.volcanovgpu.plugin.bench;

import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.contract.region.RegionLayout;
import io.github.volcanovgpu.plugin.allocate.ContainerAssignment;
import io.github.volcanovgpu.plugin.kubelet.UnixTransport;
import io.github.volcanovgpu.plugin.monitor.FakePodResourcesKubelet;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A node for the monitor's figures (not a test: run by scripts/monitor-figures.sh): {@code cards} fake cards (the
 * same UUIDs as {@code --fake-gpus <cards>}) and {@code containers} containers each holding a share of every card,
 * with two live processes (this harness's PID) per container; the regions written at {@link RegionLayout}'s offsets
 * under {@code <hook>/vgpu/containers}, limits and pod files under {@code <hook>/vgpu/limits}, and the kubelet's
 * pod-resources service on {@code <socket>} listing them. Serves until killed.
 *
 * <p>Usage: {@code MonitorFixtureHarness <hook> <socket> <cards> <containers>}
 */
public final class MonitorFixtureHarness {
  private MonitorFixtureHarness() {}

  public static void main(String[] args) throws Exception {
    Path hook = Path.of(args[0]);
    Path socket = Path.of(args[1]);
    int cards = Integer.parseInt(args[2]);
    int containers = Integer.parseInt(args[3]);
    List<String> uuids = FakeGpuBackend.ofCount(cards).discover().stream().map(PhysicalGpu::uuid).toList();
    int pid = (int) ProcessHandle.current().pid();
    UnixTransport transport = new UnixTransport();
    FakePodResourcesKubelet kubelet = new FakePodResourcesKubelet(transport, socket);
    for (int c = 0; c < containers; c++) {
      String uid = String.format("00000000-0000-4000-8000-%012d", c);
      String dir = uid + "_main";
      write(Files.createDirectories(hook.resolve("vgpu/containers").resolve(dir)).resolve(dir + ".cache"), cards,
          pid, c);
      Path limits = Files.createDirectories(hook.resolve("vgpu/limits").resolve(dir));
      List<LimitsFile.Device> devices = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (String u : uuids) {
        devices.add(new LimitsFile.Device(u, 8192, 10, ""));
        ids.add(u + "-" + c);
      }
      Files.writeString(limits.resolve("limits"), new LimitsFile(LimitsFile.Kind.CUDA, devices, 1,
          LimitsFile.CorePolicy.DEFAULT, false, "").format());
      Files.writeString(limits.resolve(ContainerAssignment.POD_FILE), "bench/pod-" + c + "\n");
      kubelet.add("bench", "pod-" + c, "main", "volcano.sh/vgpu-number", ids.toArray(String[]::new));
    }
    System.out.println("ready " + cards + " cards x " + containers + " containers");
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void write(Path file, int cards, int pid, int c) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(RegionLayout.REGION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(RegionLayout.R_MAGIC.offset(), RegionLayout.MAGIC);
    b.putInt(RegionLayout.R_MAJOR.offset(), RegionLayout.MAJOR);
    b.putInt(RegionLayout.R_MINOR.offset(), RegionLayout.MINOR);
    b.putLong(RegionLayout.R_SIZE.offset(), RegionLayout.REGION_SIZE);
    b.putInt(RegionLayout.R_MAX_DEVICES.offset(), RegionLayout.MAX_DEVICES);
    b.putInt(RegionLayout.R_MAX_SLOTS.offset(), RegionLayout.MAX_SLOTS);
    b.putInt(RegionLayout.R_LIMITS_SET.offset(), 1);
    b.putLong(RegionLayout.R_LAST_KERNEL_TIME.offset(), System.currentTimeMillis() / 1000);
    b.putInt(RegionLayout.R_SLOT_HIGH.offset(), 2);
    for (int d = 0; d < cards; d++) {
      b.putLong(RegionLayout.R_MEM_LIMIT.offset() + 8 * d, 8192L << 20);
      b.putInt(RegionLayout.R_SM_LIMIT.offset() + 4 * d, 10);
      b.putLong(RegionLayout.R_TOTAL_USED.offset() + 8 * d, (2L * (c + d + 1)) << 20);
    }
    for (int s = 0; s < 2; s++) {
      int at = RegionLayout.R_SLOTS.offset() + s * RegionLayout.SLOT_SIZE;
      b.putInt(at + RegionLayout.S_PID.offset(), 100 + s);
      b.putInt(at + RegionLayout.S_HOST_PID.offset(), pid);
      for (int d = 0; d < cards; d++) {
        b.putLong(at + RegionLayout.S_USED.offset() + 8 * d, ((long) (c + d + 1)) << 20);
      }
    }
    Files.write(file, b.array());
  }
}
