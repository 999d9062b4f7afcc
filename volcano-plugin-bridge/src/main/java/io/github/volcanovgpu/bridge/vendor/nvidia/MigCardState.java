package io.github.volcanovgpu.bridge.vendor.nvidia;

import io.github.volcanovgpu.contract.config.MigGeometry;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The dynamic-MIG state of one card (Volcano {@code mig.go}, reference volcano-vgpu.md §1.12): the geometry groups
 * its model allows, the group in use, and which positions of that group are taken. Positions number the group's
 * instance lines in order, {@code count} slots each; ids are {@code <uuid>[<group>-<pos>]}. Mutable, confined to
 * one fit.
 */
final class MigCardState {
  /** A chosen slot: its group, position, instance name and memory (MiB). */
  record Match(int group, int position, String instance, long memoryMib) {}

  private final String uuid;
  private final List<MigGeometry.Group> groups;
  private final List<boolean[]> inUse = new ArrayList<>();
  private int adopted = -1;
  private boolean blocked;

  MigCardState(String uuid, List<MigGeometry.Group> groups) {
    this.uuid = uuid;
    this.groups = List.copyOf(groups);
    for (MigGeometry.Group g : this.groups) {
      int slots = 0;
      for (MigGeometry.Instance i : g.geometries()) {
        slots += Math.max(0, i.count());
      }
      inUse.add(new boolean[slots]);
    }
  }

  /** The groups of the first {@code knownMigGeometries} entry whose model is a substring of {@code type}. */
  static List<MigGeometry.Group> groupsFor(List<MigGeometry> geometries, String type) {
    for (MigGeometry g : geometries) {
      for (String model : g.models()) {
        if (!model.isEmpty() && type.contains(model)) {
          return g.allowedGeometries();
        }
      }
    }
    return List.of();
  }

  /** Index of the adopted group, -1 when none. */
  int adoptedGroup() {
    return adopted;
  }

  /** True when the card is unusable for MIG (slots of two groups, or a whole-card share). */
  boolean blocked() {
    return blocked;
  }

  /**
   * Records an existing assignment. A share without a MIG suffix, or in another group than the adopted one,
   * blocks the card: its layout is not what this scheduler can reason about. Returns 1 when a slot was newly
   * marked, 0 otherwise (already taken, unknown group, position out of range).
   */
  int add(String deviceId) {
    if (deviceId.isEmpty()) {
      return 0;
    }
    int open = deviceId.lastIndexOf('[');
    if (open < 0 || !deviceId.endsWith("]")) {
      blocked = true;
      return 0;
    }
    String inner = deviceId.substring(open + 1, deviceId.length() - 1);
    int dash = inner.lastIndexOf('-');
    if (dash <= 0) {
      return 0;
    }
    int group = indexOf(inner.substring(0, dash));
    int pos;
    try {
      pos = Integer.parseInt(inner.substring(dash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
    if (group < 0 || pos < 0 || pos >= inUse.get(group).length) {
      return 0;
    }
    if (adopted >= 0 && adopted != group) {
      blocked = true;
      return 0;
    }
    adopted = group;
    if (inUse.get(group)[pos]) {
      return 0;
    }
    inUse.get(group)[pos] = true;
    return 1;
  }

  /** Frees a slot; returns 1 when it was taken, 0 otherwise. The group is released when its last slot frees. */
  int remove(String deviceId) {
    int open = deviceId.lastIndexOf('[');
    if (open < 0 || !deviceId.endsWith("]")) {
      return 0;
    }
    String inner = deviceId.substring(open + 1, deviceId.length() - 1);
    int dash = inner.lastIndexOf('-');
    if (dash <= 0) {
      return 0;
    }
    int group = indexOf(inner.substring(0, dash));
    int pos;
    try {
      pos = Integer.parseInt(inner.substring(dash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
    if (group < 0 || pos < 0 || pos >= inUse.get(group).length || !inUse.get(group)[pos]) {
      return 0;
    }
    inUse.get(group)[pos] = false;
    boolean any = false;
    for (boolean b : inUse.get(group)) {
      any |= b;
    }
    if (!any && adopted == group) {
      adopted = -1;
    }
    return 1;
  }

  /**
   * Volcano's findMatch: the adopted group only, else every group in listed order; within a group the instance
   * lines by ascending memory (listed order on ties); the first line with memory >= {@code memoryMib} and a free
   * slot wins. Null when none.
   */
  @Nullable
  Match findMatch(long memoryMib) {
    if (blocked) {
      return null;
    }
    for (int gi = 0; gi < groups.size(); gi++) {
      if (adopted >= 0 && gi != adopted) {
        continue;
      }
      List<MigGeometry.Instance> lines = groups.get(gi).geometries();
      int[] offsets = new int[lines.size()];
      List<Integer> order = new ArrayList<>(lines.size());
      int offset = 0;
      for (int li = 0; li < lines.size(); li++) {
        offsets[li] = offset;
        offset += Math.max(0, lines.get(li).count());
        order.add(li);
      }
      order.sort((a, b) -> Long.compare(lines.get(a).memory(), lines.get(b).memory()));
      for (int li : order) {
        MigGeometry.Instance line = lines.get(li);
        if (line.memory() < memoryMib) {
          continue;
        }
        for (int k = 0; k < line.count(); k++) {
          if (!inUse.get(gi)[offsets[li] + k]) {
            return new Match(gi, offsets[li] + k, line.name(), line.memory());
          }
        }
      }
    }
    return null;
  }

  /** Takes {@code m} and returns its device id. */
  String take(Match m) {
    inUse.get(m.group())[m.position()] = true;
    adopted = m.group();
    return id(m.group(), m.position());
  }

  String id(int group, int position) {
    return uuid + "[" + groups.get(group).group() + "-" + position + "]";
  }

  private int indexOf(String groupName) {
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i).group().equals(groupName)) {
        return i;
      }
    }
    return -1;
  }
}
