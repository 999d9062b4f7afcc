package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.contract.region.RegionLayout;
import io.github.volcanovgpu.contract.region.RegionSnapshot;
import java.util.ArrayList;
import java.util.List;

/** Test data: regions and containers by name. */
final class Regions {
  static final String GPU0 = "GPU-aaaaaaaa-0000-4000-8000-000000000000";
  static final String GPU1 = "GPU-aaaaaaaa-0000-4000-8000-000000000001";
  static final long MIB = 1L << 20;

  private Regions() {}

  /** A region with one device limited to {@code limitMib}, and one process per {@code hostPid} using {@code mib}. */
  static RegionSnapshot region(long limitMib, long mib, int... hostPids) {
    List<RegionSnapshot.Device> devices = new ArrayList<>();
    for (int d = 0; d < RegionLayout.MAX_DEVICES; d++) {
      devices.add(new RegionSnapshot.Device(d, d == 0 ? limitMib * MIB : 0, 100, d == 0 ? mib * MIB
          * hostPids.length : 0));
    }
    List<RegionSnapshot.Process> processes = new ArrayList<>();
    for (int i = 0; i < hostPids.length; i++) {
      List<Long> used = new ArrayList<>();
      for (int d = 0; d < RegionLayout.MAX_DEVICES; d++) {
        used.add(d == 0 ? mib * MIB : 0L);
      }
      processes.add(new RegionSnapshot.Process(i, 100 + i, hostPids[i], 0, used));
    }
    return new RegionSnapshot(1, 1_760_000_000L, devices, processes);
  }

  static ContainerRegion container(String uid, String name, String podKey, String card, RegionSnapshot region) {
    return new ContainerRegion(uid, name, podKey, List.of(card), region);
  }

  static PodContainer kubelet(String ns, String pod, String container, String... ids) {
    return new PodContainer(ns, pod, container, List.of(ids));
  }
}
