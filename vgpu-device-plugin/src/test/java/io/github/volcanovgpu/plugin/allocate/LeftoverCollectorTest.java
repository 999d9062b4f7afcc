package io.github.volcanovgpu.plugin.allocate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.cdi.CdiMount;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import io.github.volcanovgpu.cdi.nvidia.VgpuSlice;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.RecordingCdiWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverCollectorTest {
  private static final String LIVE = "11111111-aaaa-bbbb-cccc-000000000001";
  private static final String GONE = "22222222-aaaa-bbbb-cccc-000000000002";

  @TempDir
  Path cacheRoot;

  private Instant now = Instant.parse("2026-11-28T20:00:00Z");
  private final RecordingCdiWriter writer = new RecordingCdiWriter();
  private final CdiSpecRegistry cdi = new CdiSpecRegistry(Kind.NVIDIA_DEVICE_PLUGIN, writer,
      () -> new CdiSpecRegistry.Devices(List.of(new NvidiaGpu(0, "GPU-aaa", 0, false)), List.of()));

  private LeftoverCollector collector() {
    return new LeftoverCollector(cacheRoot, cdi, new Clock() {
      @Override
      public Instant instant() {
        return now;
      }

      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }
    }, Duration.ofMinutes(2));
  }

  private Path cacheDir(String uid, String container) throws IOException {
    Path dir = Files.createDirectories(cacheRoot.resolve(uid + "_" + container));
    Files.writeString(dir.resolve(uid + "_" + container + ".cache"), "region");
    return dir;
  }

  private void slice(String uid, String container) {
    cdi.ensure(List.of("GPU-aaa"), new VgpuSlice("vgpu-" + uid + "_" + container, Map.of("CUDA_DEVICE_SM_LIMIT", "30"),
        List.of(CdiMount.bind("/tmp/vgpulock", "/tmp/vgpulock", false))));
  }

  @Test
  void leftoversOfADeletedPodGoOnceTheyStayedOrphanedForTheGraceButALivePodsStay() throws IOException {
    cdi.start();
    Path live = cacheDir(LIVE, "main");
    Path gone = cacheDir(GONE, "main");
    cacheDir(GONE, "side");
    slice(LIVE, "main");
    slice(GONE, "main");
    LeftoverCollector collector = collector();

    assertThat(collector.collect(Set.of(LIVE))).as("first sighting only starts the clock").isEmpty();
    now = now.plus(Duration.ofMinutes(1));
    assertThat(collector.collect(Set.of(LIVE))).isEmpty();
    now = now.plus(Duration.ofMinutes(1));
    List<String> removed = collector.collect(Set.of(LIVE));

    assertThat(removed).containsExactlyInAnyOrder("cache " + GONE + "_main", "cache " + GONE + "_side",
        "cdi vgpu-" + GONE + "_main");
    assertThat(gone).doesNotExist();
    assertThat(live.resolve(LIVE + "_main.cache")).exists();
    assertThat(cdi.sliceNames()).containsExactly("vgpu-" + LIVE + "_main");
  }

  @Test
  void aPodThatShowsUpAgainWithinTheGraceKeepsItsLeftovers() throws IOException {
    Path dir = cacheDir(GONE, "main");
    LeftoverCollector collector = collector();

    collector.collect(Set.of()); // the watch had not delivered the pod yet
    now = now.plus(Duration.ofMinutes(1));
    collector.collect(Set.of(GONE));
    now = now.plus(Duration.ofMinutes(2));

    assertThat(collector.collect(Set.of())).as("orphaned again only now: the clock restarts").isEmpty();
    assertThat(dir).exists();
  }

  @Test
  void podUidIsThePartBeforeTheFirstUnderscore() {
    assertThat(LeftoverCollector.podUid(LIVE + "_main")).isEqualTo(LIVE);
    assertThat(LeftoverCollector.podUid("stray")).isEqualTo("stray");
  }
}
