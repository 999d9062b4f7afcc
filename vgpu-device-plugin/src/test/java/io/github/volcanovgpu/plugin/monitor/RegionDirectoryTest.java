package io.github.volcanovgpu.plugin.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.contract.region.RegionLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionDirectoryTest {
  @TempDir
  Path hook;

  private Path dir(String name) throws IOException {
    return Files.createDirectories(hook.resolve("containers").resolve(name));
  }

  private void limits(String name, String card) throws IOException {
    Files.writeString(Files.createDirectories(hook.resolve("limits").resolve(name)).resolve("limits"),
        new LimitsFile(LimitsFile.Kind.CUDA, List.of(new LimitsFile.Device(card, 1024, 0, "")), 1,
            LimitsFile.CorePolicy.DEFAULT, false, "").format());
  }

  private static byte[] region(int hostPid, long startTime) {
    ByteBuffer b = ByteBuffer.allocate(RegionLayout.REGION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(RegionLayout.R_MAGIC.offset(), RegionLayout.MAGIC);
    b.putInt(RegionLayout.R_MAJOR.offset(), RegionLayout.MAJOR);
    b.putLong(RegionLayout.R_SIZE.offset(), RegionLayout.REGION_SIZE);
    b.putInt(RegionLayout.R_MAX_DEVICES.offset(), RegionLayout.MAX_DEVICES);
    b.putInt(RegionLayout.R_MAX_SLOTS.offset(), RegionLayout.MAX_SLOTS);
    b.putInt(RegionLayout.R_SLOT_HIGH.offset(), 1);
    b.putInt(RegionLayout.R_SLOTS.offset() + RegionLayout.S_PID.offset(), 7);
    b.putInt(RegionLayout.R_SLOTS.offset() + RegionLayout.S_HOST_PID.offset(), hostPid);
    b.putLong(RegionLayout.R_SLOTS.offset() + RegionLayout.S_START_TIME.offset(), startTime);
    b.putLong(RegionLayout.R_SLOTS.offset() + RegionLayout.S_USED.offset(), 5L << 20);
    return b.array();
  }

  @Test
  void readsEachContainersRegionWithItsCardsAndPodAndDropsDeadProcesses() throws IOException {
    Files.write(dir("uid-a_main").resolve("uid-a_main.cache"), region(4001, 0));
    limits("uid-a_main", "GPU-1");
    Files.writeString(hook.resolve("limits/uid-a_main/pod"), "ns/a\n");
    Files.write(dir("uid-b_main").resolve("uid-b_main.cache"), region(4002, 0));
    limits("uid-b_main", "GPU-2");

    RegionDirectory.Scan scan = new RegionDirectory(hook.resolve("containers"), hook.resolve("limits"),
        (pid, start) -> pid == 4001).scan();

    assertThat(scan.problems()).isEmpty();
    assertThat(scan.regions()).extracting(ContainerRegion::podUid, ContainerRegion::podKey,
        ContainerRegion::cardUuids, r -> r.region().processes().size()).containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("uid-a", "ns/a", List.of("GPU-1"), 1),
            org.assertj.core.groups.Tuple.tuple("uid-b", "", List.of("GPU-2"), 0));
  }

  @Test
  void unreadableDirectoriesAreNamedAndTheOthersStillRead() throws IOException {
    Files.write(dir("uid-a_main").resolve("uid-a_main.cache"), new byte[100]);
    limits("uid-a_main", "GPU-1");
    Files.write(dir("uid-b_main").resolve("uid-b_main.cache"), region(0, 0)); // no limits file
    dir("uid-c_main"); // no process yet: no region, no problem
    Files.write(dir("uid-d_main").resolve("uid-d_main.cache"), region(0, 0));
    limits("uid-d_main", "GPU-4");

    RegionDirectory.Scan scan = new RegionDirectory(hook.resolve("containers"), hook.resolve("limits"),
        (pid, start) -> true).scan();

    assertThat(scan.regions()).extracting(ContainerRegion::podUid).containsExactly("uid-d");
    assertThat(scan.problems()).containsExactlyInAnyOrder(
        "uid-a_main: uid-a_main.cache is 100 bytes, a version 2.0 libvgpu region is 156160",
        "uid-b_main: missing " + hook.resolve("limits/uid-b_main/limits"));
  }

  @Test
  void aProcessIsAliveOnlyWithItsOwnStartTime() {
    ProcessTable proc = ProcessTable.proc(Path.of("/proc"));
    int me = (int) ProcessHandle.current().pid();
    assertThat(proc.isAlive(me, 0)).isTrue();
    assertThat(proc.isAlive(me, 1)).as("a reused PID").isFalse();
    assertThat(proc.isAlive(Integer.MAX_VALUE, 0)).isFalse();
  }
}
