package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.ReloadingPlugin;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editing the mounted device config changes what the kubelet is told, without restarting the process. */
class ConfigReloadIT {
  private static final String NUMBER = "volcano.sh/vgpu-number";
  private static final String MEMORY = "volcano.sh/vgpu-memory";

  @TempDir
  Path config;
  @TempDir
  Path hook;

  private TestKubelet kubelet;
  private ReloadingPlugin<DevicePlugin> plugin;

  /** No API server in this test: Allocate is not exercised. */
  private final FakePodSource noPods = new FakePodSource();

  @AfterEach
  void stop() throws Exception {
    if (plugin != null) {
      plugin.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
  }

  @Test
  void aNewSplitCountAndMemoryFactorReachTheKubeletAndABrokenEditIsIgnored() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "reload");
    kubelet = new TestKubelet(dir).start();
    Path deviceConfig = config.resolve("device-config.yaml");
    Files.writeString(deviceConfig, "nvidia:\n  deviceSplitCount: 10\n  gpuMemoryFactor: 1024\n");
    FakeGpuBackend gpus = FakeGpuBackend.ofCount(2);
    plugin = new ReloadingPlugin<>(deviceConfig, config.resolve("config.json"), loaded -> DevicePlugin.start(
        new DevicePlugin.Options("node-a", dir, loaded.device(), loaded.node(), Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(gpus, null, NvidiaBackend.Settings.defaults(hook))),
        new DevicePlugin.Cluster.Pods(noPods), new SimpleMeterRegistry(), Clock.systemUTC()));
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 20);
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(MEMORY).size() == 2 * 80);

    Files.writeString(deviceConfig, "nvidia:\n  deviceSplitCount: 4\n  gpuMemoryFactor: 2048\n");
    assertThat(plugin.reloadIfChanged()).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 8);
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(MEMORY).size() == 2 * 40);
    assertThat(kubelet.registrations(NUMBER)).isEqualTo(2);

    Files.writeString(deviceConfig, "nvidia:\n  gpuMemoryFactor: 0\n");
    assertThat(plugin.reloadIfChanged()).isFalse();
    assertThat(kubelet.devices(NUMBER)).hasSize(8);
  }
}
