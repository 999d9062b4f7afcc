package io.github.volcanovgpu.cdi.nvidia;

import io.github.volcanovgpu.cdi.CdiDevice;
import io.github.volcanovgpu.cdi.CdiMount;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.ContainerEdits;
import io.github.volcanovgpu.cdi.DeviceNode;
import io.github.volcanovgpu.cdi.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pure CDI spec generation for NVIDIA devices, shaped like nvidia-container-toolkit's output (reference
 * deviceplugin-cdi-mig.md §2.6): per device its {@code /dev/nvidia<minor>} node (MIG: the parent's node plus the GI
 * and CI {@code nvidia-cap} nodes), spec-wide the control nodes and {@code NVIDIA_VISIBLE_DEVICES=void}, and an
 * {@code all} device covering every non-MIG-enabled GPU and every MIG device. Driver libraries and hooks are not
 * generated: the vGPU containers get the driver from the NVIDIA runtime's own spec or image.
 */
public final class NvidiaCdiGenerator {
  /** Device naming, as {@code --device-name-strategy}: by index ({@code 0}, {@code 0:1}) and/or by UUID. */
  public enum Naming {
    INDEX,
    UUID
  }

  /**
   * What to generate.
   *
   * @param kind the spec's kind
   * @param naming at least one naming; with both every device appears twice (nvidia-ctk's default)
   * @param allDevice whether to add the {@code all} device
   * @param devRoot host directory holding {@code dev/} ({@code /} normally; otherwise nodes get a hostPath)
   * @param controlNodes spec-wide nodes, {@link #CONTROL_NODES} normally
   */
  public record Options(Kind kind, Set<Naming> naming, boolean allDevice, String devRoot, List<String> controlNodes) {
    public Options {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(devRoot, "devRoot");
      if (naming.isEmpty()) {
        throw new IllegalArgumentException("at least one device naming (index, uuid)");
      }
      naming = Set.copyOf(naming);
      controlNodes = List.copyOf(controlNodes);
      if (!devRoot.startsWith("/")) {
        throw new IllegalArgumentException("devRoot must be absolute, got \"" + devRoot + "\"");
      }
    }

    /** {@code kind}, both namings, {@code all}, devices under {@code /dev} of the host. */
    public static Options defaults(Kind kind) {
      return new Options(kind, EnumSet.allOf(Naming.class), true, "/", CONTROL_NODES);
    }
  }

  /** The control nodes NVIDIA's generator adds to every spec. */
  public static final List<String> CONTROL_NODES = List.of("/dev/nvidiactl", "/dev/nvidia-uvm",
      "/dev/nvidia-uvm-tools");
  public static final String ALL = "all";
  /**
   * The NVIDIA container runtime's device list variable: a spec sets it to {@code void} (the CDI devices are the
   * list); the device plugin's {@code envvar} mode gives the UUIDs in it.
   */
  public static final String VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";

  private NvidiaCdiGenerator() {}

  /** The spec of the node's GPUs and MIG devices; at least one device must result. */
  public static CdiSpec gpus(Options options, List<NvidiaGpu> gpus, List<MigDevice> migs) {
    List<CdiDevice> devices = new ArrayList<>();
    Set<String> allNodes = new LinkedHashSet<>();
    for (NvidiaGpu g : gpus) {
      if (g.migEnabled()) {
        continue;
      }
      List<String> nodes = List.of(g.deviceNode());
      allNodes.addAll(nodes);
      add(devices, options, Integer.toString(g.index()), g.uuid(), nodes);
    }
    for (MigDevice m : migs) {
      List<String> nodes = migNodes(m);
      allNodes.addAll(nodes);
      add(devices, options, m.indexName(), m.uuid(), nodes);
    }
    if (options.allDevice() && !allNodes.isEmpty()) {
      devices.add(new CdiDevice(ALL, edits(options, List.copyOf(allNodes))));
    }
    List<String> env = List.of(VISIBLE_DEVICES + "=void");
    ContainerEdits common = ContainerEdits.of(env, nodes(options, options.controlNodes()), List.of());
    return CdiSpec.of(options.kind().toString(), devices, common);
  }

  /** The parent GPU node and the GI and CI access capability nodes of a MIG device. */
  public static List<String> migNodes(MigDevice m) {
    return List.of("/dev/nvidia" + m.parentMinor(), "/dev/nvidia-caps/nvidia-cap" + m.giAccessMinor(),
        "/dev/nvidia-caps/nvidia-cap" + m.ciAccessMinor());
  }

  /** One device per scheduled slice set, carrying its libvgpu environment and mounts; no spec-wide edits. */
  public static CdiSpec slices(Kind kind, List<VgpuSlice> slices) {
    List<CdiDevice> devices = new ArrayList<>();
    for (VgpuSlice s : slices) {
      List<String> env = new ArrayList<>();
      for (Map.Entry<String, String> e : s.env().entrySet()) {
        env.add(e.getKey() + "=" + e.getValue());
      }
      devices.add(new CdiDevice(s.name(), ContainerEdits.of(env, List.of(), List.<CdiMount>copyOf(s.mounts()))));
    }
    return CdiSpec.of(kind.toString(), devices, ContainerEdits.EMPTY);
  }

  private static void add(List<CdiDevice> devices, Options options, String indexName, String uuid,
      List<String> nodes) {
    ContainerEdits edits = edits(options, nodes);
    if (options.naming().contains(Naming.UUID)) {
      devices.add(new CdiDevice(uuid, edits));
    }
    if (options.naming().contains(Naming.INDEX)) {
      devices.add(new CdiDevice(indexName, edits));
    }
  }

  private static ContainerEdits edits(Options options, List<String> paths) {
    return ContainerEdits.of(List.of(), nodes(options, paths), List.of());
  }

  private static List<DeviceNode> nodes(Options options, List<String> paths) {
    List<DeviceNode> out = new ArrayList<>();
    String root = options.devRoot().endsWith("/")
        ? options.devRoot().substring(0, options.devRoot().length() - 1) : options.devRoot();
    for (String p : paths) {
      out.add(root.isEmpty() ? DeviceNode.of(p) : DeviceNode.of(p, root + p));
    }
    return out;
  }
}
