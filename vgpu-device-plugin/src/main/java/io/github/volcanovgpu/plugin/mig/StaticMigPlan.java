package io.github.volcanovgpu.plugin.mig;

import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a static MIG strategy registers, decided from the cards' current MIG state (pure; reference
 * deviceplugin-cdi-mig.md §3.5, NVIDIA k8s-device-plugin's rules).
 *
 * <ul>
 *   <li>{@code none}: every card is a vGPU card; no MIG resource.
 *   <li>{@code single}: when no card has MIG on, as {@code none}; otherwise every card must have MIG on, at least
 *       one MIG device, and all MIG devices one profile; each MIG device is then one ID of the count resource and
 *       there are no vGPU cards (so no memory/cores resources).
 *   <li>{@code mixed}: cards with MIG off stay vGPU cards; each profile becomes {@code nvidia.com/mig-<profile>} with
 *       one ID per MIG device.
 * </ul>
 *
 * @param vgpuCards cards registered whole through the vGPU resources (and the node annotation)
 * @param migResources resource name to its MIG devices, resources sorted by name, devices in card order
 */
public record StaticMigPlan(List<PhysicalGpu> vgpuCards, Map<String, List<MigInstance>> migResources) {
  /** Kubernetes' limit on resource names. */
  static final int MAX_RESOURCE_NAME = 63;

  public StaticMigPlan {
    vgpuCards = List.copyOf(vgpuCards);
    Map<String, List<MigInstance>> copy = new LinkedHashMap<>();
    migResources.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    migResources = Collections.unmodifiableMap(copy);
  }

  /** Strategy {@code none}: every card whole. */
  public static StaticMigPlan none(List<PhysicalGpu> cards) {
    return new StaticMigPlan(cards, Map.of());
  }

  /**
   * @param countResource the count resource name (the {@code single} strategy's resource)
   * @throws MigSetupException when the cards do not fit {@code single}, or a resource name is too long
   */
  public static StaticMigPlan plan(MigStrategy strategy, List<MigCard> cards, String countResource) {
    List<PhysicalGpu> all = cards.stream().map(MigCard::gpu).toList();
    switch (strategy) {
      case NONE:
        return none(all);
      case SINGLE:
        return single(cards, countResource);
      case MIXED:
        return mixed(cards);
      default:
        throw new IllegalArgumentException(strategy.toString());
    }
  }

  private static StaticMigPlan single(List<MigCard> cards, String countResource) {
    List<String> on = new ArrayList<>();
    List<String> off = new ArrayList<>();
    for (MigCard c : cards) {
      (c.migEnabled() ? on : off).add(c.gpu().uuid());
    }
    if (on.isEmpty()) {
      return none(cards.stream().map(MigCard::gpu).toList());
    }
    if (!off.isEmpty()) {
      throw new MigSetupException("mig-strategy single: all GPUs on the node must have the same MIG mode (MIG on: "
          + on + ", off: " + off + "); enable MIG on every GPU or use --mig-strategy mixed");
    }
    Map<String, Set<String>> profiles = new TreeMap<>();
    List<MigInstance> devices = new ArrayList<>();
    for (MigCard c : cards) {
      if (c.instances().isEmpty()) {
        throw new MigSetupException("mig-strategy single: GPU " + c.gpu().uuid() + " has MIG on but no MIG device;"
            + " every MIG-enabled GPU needs the same layout (or use --mig-strategy mixed)");
      }
      for (MigInstance m : c.instances()) {
        profiles.computeIfAbsent(m.profile(), p -> new TreeSet<>()).add(c.gpu().uuid());
        devices.add(m);
      }
    }
    if (profiles.size() > 1) {
      throw new MigSetupException("mig-strategy single: all MIG devices must have one profile, found "
          + profiles.keySet() + " (GPUs per profile: " + profiles + "); use --mig-strategy mixed");
    }
    return new StaticMigPlan(List.of(), Map.of(countResource, devices));
  }

  private static StaticMigPlan mixed(List<MigCard> cards) {
    List<PhysicalGpu> whole = new ArrayList<>();
    Map<String, List<MigInstance>> resources = new TreeMap<>();
    for (MigCard c : cards) {
      if (!c.migEnabled()) {
        whole.add(c.gpu());
        continue;
      }
      for (MigInstance m : c.instances()) {
        String name = m.mixedResourceName();
        if (name.length() > MAX_RESOURCE_NAME) {
          throw new MigSetupException("mig-strategy mixed: resource name " + name + " is longer than "
              + MAX_RESOURCE_NAME + " characters");
        }
        resources.computeIfAbsent(name, n -> new ArrayList<>()).add(m);
      }
    }
    return new StaticMigPlan(whole, resources);
  }
}
