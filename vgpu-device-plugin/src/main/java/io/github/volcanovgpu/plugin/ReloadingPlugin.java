package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running device plugin and the two mounted configuration files it was started from ({@code device-config.yaml}
 * of the {@code volcano-vgpu-device-config} ConfigMap and {@code config.json} of the node config). When their
 * content changes (the kubelet swaps a mounted ConfigMap atomically, within about a minute of an edit) and the new
 * content is valid, the plugin is closed and started again: it re-registers, and the kubelet's ListAndWatch stream
 * carries the new device list (split count, memory factor, filters, operating mode). Invalid new content is reported
 * once and the running plugin keeps serving.
 */
public final class ReloadingPlugin<P extends AutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingPlugin.class);

  /** Both files as read: raw text ("" when absent) and parsed. */
  public record Loaded(String deviceText, String nodeText, DeviceConfig device, NodeConfig node) {
    /** Reads and parses both files; an absent file means the defaults. */
    public static Loaded read(Path deviceConfig, Path nodeConfig) throws IOException {
      String deviceText = readOrEmpty(deviceConfig);
      String nodeText = readOrEmpty(nodeConfig);
      DeviceConfig device = deviceText.isEmpty() && !Files.exists(deviceConfig) ? DeviceConfig.defaults()
          : DeviceConfig.parse(deviceText, deviceConfig.toString());
      NodeConfig node = nodeText.isEmpty() && !Files.exists(nodeConfig) ? NodeConfig.empty()
          : NodeConfig.parse(nodeText, nodeConfig.toString());
      return new Loaded(deviceText, nodeText, device, node);
    }

    boolean sameFiles(String device, String node) {
      return deviceText.equals(device) && nodeText.equals(node);
    }
  }

  private final Path deviceConfig;
  private final Path nodeConfig;
  private final Function<Loaded, P> starter;
  private Loaded applied;
  private P current;
  /** The last content refused, so an invalid edit is reported once, not on every check. */
  private @Nullable String refused;

  /**
   * Reads the files and starts the plugin.
   *
   * @throws IOException or {@link io.github.volcanovgpu.contract.config.ConfigException} when the files cannot be
   *     read or are invalid: at start that is fatal
   */
  public ReloadingPlugin(Path deviceConfig, Path nodeConfig, Function<Loaded, P> starter) throws IOException {
    this.deviceConfig = Objects.requireNonNull(deviceConfig, "deviceConfig");
    this.nodeConfig = Objects.requireNonNull(nodeConfig, "nodeConfig");
    this.starter = Objects.requireNonNull(starter, "starter");
    this.applied = Loaded.read(deviceConfig, nodeConfig);
    this.current = starter.apply(applied);
  }

  public synchronized P current() {
    return current;
  }

  /**
   * Restarts the plugin when the files changed to valid content.
   *
   * @return true when the plugin was restarted
   */
  public synchronized boolean reloadIfChanged() {
    String deviceText;
    String nodeText;
    try {
      deviceText = readOrEmpty(deviceConfig);
      nodeText = readOrEmpty(nodeConfig);
    } catch (IOException e) {
      LOG.warn("cannot read the configuration ({}); keeping the running one", e.getMessage());
      return false;
    }
    if (applied.sameFiles(deviceText, nodeText)) {
      refused = null;
      return false;
    }
    Loaded next;
    try {
      next = Loaded.read(deviceConfig, nodeConfig);
    } catch (IOException | IllegalArgumentException e) {
      String key = deviceText + "\u0000" + nodeText;
      if (!key.equals(refused)) {
        LOG.error("configuration changed but is invalid; keeping the running configuration: {}", e.getMessage());
        refused = key;
      }
      return false;
    }
    LOG.info("configuration changed ({}, {}): restarting the plugin with it", deviceConfig, nodeConfig);
    closeCurrent();
    current = starter.apply(next);
    applied = next;
    refused = null;
    return true;
  }

  @Override
  public synchronized void close() {
    closeCurrent();
  }

  private void closeCurrent() {
    try {
      current.close();
    } catch (Exception e) {
      LOG.warn("closing the plugin: {}", e.getMessage());
    }
  }

  private static String readOrEmpty(Path file) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return "";
    }
  }
}
