package io.github.volcanovgpu.mig.layout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A mig-parted config file ({@code version: v1}, {@code mig-configs}: name to entries). */
public record MigConfigSpec(String version, Map<String, List<MigConfigEntry>> configs) {
  public static final String VERSION = "v1";

  public MigConfigSpec {
    LinkedHashMap<String, List<MigConfigEntry>> copy = new LinkedHashMap<>();
    configs.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    configs = Collections.unmodifiableMap(copy);
  }

  public Optional<List<MigConfigEntry>> config(String name) {
    return Optional.ofNullable(configs.get(name));
  }

  /**
   * The entry that decides GPU {@code index} under config {@code name}: the last matching one, as mig-parted
   * applies entries in order.
   */
  public Optional<MigConfigEntry> entryFor(String name, int index, String deviceName, String pciDeviceId) {
    List<MigConfigEntry> entries = configs.get(name);
    if (entries == null) {
      return Optional.empty();
    }
    List<MigConfigEntry> matching = new ArrayList<>();
    for (MigConfigEntry e : entries) {
      if (e.appliesTo(index, deviceName, pciDeviceId)) {
        matching.add(e);
      }
    }
    return matching.isEmpty() ? Optional.empty() : Optional.of(matching.get(matching.size() - 1));
  }
}
