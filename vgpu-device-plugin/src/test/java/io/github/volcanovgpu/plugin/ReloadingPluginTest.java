package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingPluginTest {
  @TempDir
  Path dir;

  private final List<String> events = new ArrayList<>();

  /** Stands for a running plugin: records its start (with the split count it got) and its close. */
  private final class Running implements AutoCloseable {
    private final int split;

    Running(ReloadingPlugin.Loaded config) {
      this.split = config.device().nvidia().deviceSplitCount();
      events.add("start split=" + split);
    }

    @Override
    public void close() {
      events.add("close split=" + split);
    }
  }

  private Path deviceConfig() {
    return dir.resolve("device-config.yaml");
  }

  private Path nodeConfig() {
    return dir.resolve("config.json");
  }

  private void writeSplit(int split) throws IOException {
    Files.writeString(deviceConfig(), "nvidia:\n  deviceSplitCount: " + split + "\n");
  }

  @Test
  void absentFilesMeanTheDefaultsAndNothingChangesUntilTheyDo() throws IOException {
    ReloadingPlugin<Running> plugin = new ReloadingPlugin<>(deviceConfig(), nodeConfig(), Running::new);

    assertThat(plugin.reloadIfChanged()).isFalse();
    assertThat(events).containsExactly("start split=10");
  }

  @Test
  void aValidChangeClosesTheRunningPluginAndStartsOneWithTheNewConfiguration() throws IOException {
    writeSplit(10);
    ReloadingPlugin<Running> plugin = new ReloadingPlugin<>(deviceConfig(), nodeConfig(), Running::new);
    writeSplit(4);

    assertThat(plugin.reloadIfChanged()).isTrue();
    assertThat(plugin.reloadIfChanged()).isFalse();
    assertThat(events).containsExactly("start split=10", "close split=10", "start split=4");
    assertThat(plugin.current().split).isEqualTo(4);
  }

  @Test
  void anInvalidChangeKeepsTheRunningPluginUntilTheFileIsFixed() throws IOException {
    writeSplit(10);
    ReloadingPlugin<Running> plugin = new ReloadingPlugin<>(deviceConfig(), nodeConfig(), Running::new);
    Files.writeString(deviceConfig(), "nvidia:\n  gpuMemoryFactor: 0\n");

    assertThat(plugin.reloadIfChanged()).isFalse();
    assertThat(plugin.reloadIfChanged()).isFalse();
    assertThat(plugin.current().split).isEqualTo(10);
    writeSplit(2);
    assertThat(plugin.reloadIfChanged()).isTrue();
    assertThat(events).containsExactly("start split=10", "close split=10", "start split=2");
  }

  @Test
  void anInvalidFileAtStartIsAClearError() throws IOException {
    Files.writeString(nodeConfig(), "{\"nodeconfig\": [{\"name\": \"n\", \"devicesplitcount\": -1}]}");

    assertThatThrownBy(() -> new ReloadingPlugin<>(deviceConfig(), nodeConfig(), Running::new))
        .isInstanceOf(ConfigException.class).hasMessageContaining("config.json");
    assertThat(events).isEmpty();
  }
}
