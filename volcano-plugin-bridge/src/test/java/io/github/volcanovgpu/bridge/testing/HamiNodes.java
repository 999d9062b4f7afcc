package io.github.volcanovgpu.bridge.testing;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import io.github.volcanovgpu.contract.config.VnpusConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-data builder for nodes registered the HAMi way (JSON {@code DeviceInfo} lists): Ascend chips and Vastai.
 * {@code HamiNodes.ascend("n1", "Ascend910C").npus(16).hamiCore(true).build()}.
 */
public final class HamiNodes {
  private final String name;
  private final String registerKey;
  private final String resource;
  private final String type;
  private final long memory;
  private final int devcore;
  private final List<HamiDeviceInfo> devices = new ArrayList<>();
  private final List<PodView> pods = new ArrayList<>();
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private int count;

  private HamiNodes(String name, String registerKey, String resource, String type, long memory, int devcore,
      int count) {
    this.name = name;
    this.registerKey = registerKey;
    this.resource = resource;
    this.type = type;
    this.memory = memory;
    this.devcore = devcore;
    this.count = count;
  }

  /** The shipped chip config of {@code commonWord} (e.g. {@code Ascend910C}). */
  public static VnpuChipConfig chip(String commonWord) {
    return VnpusConfig.defaults().chip(commonWord).orElseThrow();
  }

  /** An Ascend node of the chip's shipped config; NPUs get {@code devmem} = memoryAllocatable, 10 shares. */
  public static HamiNodes ascend(String name, String commonWord) {
    VnpuChipConfig c = chip(commonWord);
    return new HamiNodes(name, HamiAnnotations.nodeRegister(commonWord), c.resourceName(), commonWord,
        c.memoryAllocatableMib(), c.aiCore(), 10);
  }

  /** A Vastai node; devices have no memory (as HAMi's plugin registers them) and one share each. */
  public static HamiNodes vastai(String name) {
    return new HamiNodes(name, VastaiAnnotations.NODE_REGISTER, "vastaitech.com/va", "Vastai", 0, 100, 1);
  }

  /** Shares per device for the devices added next. */
  public HamiNodes count(int value) {
    count = value;
    return this;
  }

  /** {@code n} NPUs with ids {@code <node>-npu-<i>}, 910 network id 0 when the chip is of the 910 family. */
  public HamiNodes npus(int n) {
    for (int i = 0; i < n; i++) {
      int index = devices.size();
      Map<String, Object> custom = type.startsWith("Ascend910") ? Map.of(AscendAnnotations.CUSTOM_NETWORK_ID,
          (long) (type.equals("Ascend910C") ? 0 : index / 4)) : Map.of();
      devices.add(new HamiDeviceInfo(name + "-npu-" + index, index, count, memory, devcore, type, 0, "", true, "",
          custom));
    }
    return this;
  }

  /** Vastai die mode: {@code cards} cards (AIC ids 0..) with {@code dies} dies each, ids {@code <node>-va<c>-die<d>}. */
  public HamiNodes dies(int cards, int dies) {
    for (int c = 0; c < cards; c++) {
      for (int d = 0; d < dies; d++) {
        devices.add(new HamiDeviceInfo(name + "-va" + c + "-die" + d, devices.size(), count, memory, devcore, type,
            0, "", true, "", Map.of(VastaiAnnotations.CUSTOM_DEVICE_STRATEGY, "die",
                VastaiAnnotations.CUSTOM_AIC, Integer.toString(c))));
      }
    }
    return this;
  }

  /** Vastai full-card mode: {@code n} cards. */
  public HamiNodes cards(int n) {
    for (int c = 0; c < n; c++) {
      devices.add(new HamiDeviceInfo(name + "-va" + c, devices.size(), count, memory, devcore, type, 0, "", true, "",
          Map.of(VastaiAnnotations.CUSTOM_DEVICE_STRATEGY, "card", VastaiAnnotations.CUSTOM_AIC,
              Integer.toString(c))));
    }
    return this;
  }

  public HamiNodes device(HamiDeviceInfo d) {
    devices.add(d);
    return this;
  }

  /** Marks device {@code index} unhealthy. */
  public HamiNodes unhealthy(int index) {
    devices.set(index, devices.get(index).withHealth(false));
    return this;
  }

  /** Node annotation {@code hami-vnpu-core}. */
  public HamiNodes hamiCore(boolean on) {
    return annotation(AscendAnnotations.NODE_HAMI_CORE, Boolean.toString(on));
  }

  public HamiNodes annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  public HamiNodes pod(PodView pod) {
    pods.add(pod.withNodeName(name));
    return this;
  }

  public List<HamiDeviceInfo> devices() {
    return List.copyOf(devices);
  }

  public NodeView build() {
    Map<String, String> a = new LinkedHashMap<>(annotations);
    a.putIfAbsent(registerKey, HamiDeviceInfoCodec.encode(devices));
    Map<String, String> allocatable = new LinkedHashMap<>();
    allocatable.put("cpu", "64");
    int shares = devices.stream().mapToInt(HamiDeviceInfo::count).sum();
    if (shares > 0) {
      allocatable.put(resource, Integer.toString(shares));
    }
    return NodeView.of(name, a, allocatable, pods);
  }
}
