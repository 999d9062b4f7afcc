package io.github.volcanovgpu.bridge.vendor.hami;

import io.github.volcanovgpu.bridge.device.AssignmentKeys;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod annotations through which HAMi's kinds hand devices to their device plugins: the common
 * {@code hami.io/vgpu-node}, {@code vgpu-time}, {@code bind-phase=allocating}, {@code bind-time}, and the kind's
 * {@code hami.io/<CommonWord>-devices-to-allocate} / {@code -devices-allocated} (HAMi framing), plus extra keys of
 * the kind. The order of keys is Volcano's.
 */
public final class HamiAssignment {
  private final String commonWord;
  private final AssignmentKeys keys;

  /** @param extraKeys the kind's own keys besides the device lists (e.g. {@code predicate-time}, runtime info) */
  public HamiAssignment(String commonWord, List<String> extraKeys) {
    this.commonWord = commonWord;
    List<String> all = new ArrayList<>();
    all.add(HamiAnnotations.devicesToAllocate(commonWord));
    all.add(HamiAnnotations.devicesAllocated(commonWord));
    all.addAll(extraKeys);
    all.addAll(HamiAnnotations.COMMON_ALLOCATION_KEYS);
    this.keys = new AssignmentKeys(HamiAnnotations.ASSIGNED_NODE, HamiAnnotations.devicesAllocated(commonWord),
        HamiAnnotations.BIND_PHASE, all);
  }

  public AssignmentKeys keys() {
    return keys;
  }

  /** The devices a pod's {@code -devices-allocated} annotation names (lenient). */
  public PodDevices assigned(PodView pod) {
    String value = pod.annotations().get(keys.devices());
    return value == null || value.isEmpty() ? PodDevices.empty() : PodDevicesCodec.decodeHamiLenient(value);
  }

  /** The device lists, then {@code extra}, then the common keys. */
  public Map<String, String> annotations(String node, PodDevices devices, Instant now, Map<String, String> extra) {
    String encoded = PodDevicesCodec.encodeHami(devices);
    String seconds = Long.toString(now.getEpochSecond());
    Map<String, String> a = new LinkedHashMap<>();
    a.put(HamiAnnotations.devicesToAllocate(commonWord), encoded);
    a.put(HamiAnnotations.devicesAllocated(commonWord), encoded);
    a.putAll(extra);
    a.put(HamiAnnotations.ASSIGNED_NODE, node);
    a.put(HamiAnnotations.ASSIGNED_TIME, seconds);
    a.put(HamiAnnotations.BIND_PHASE, HamiAnnotations.BIND_PHASE_ALLOCATING);
    a.put(HamiAnnotations.BIND_TIME, seconds);
    return a;
  }
}
