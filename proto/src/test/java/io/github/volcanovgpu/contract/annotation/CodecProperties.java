package io.github.volcanovgpu.contract.annotation;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CodecProperties {
  @Property
  void registrationRoundTrips(@ForAll("gpuLists") List<RegisteredGpu> gpus) {
    assertThat(NodeRegistrationCodec.decode(NodeRegistrationCodec.encode(gpus))).isEqualTo(gpus);
  }

  @Property
  void podDevicesRoundTrip(@ForAll("podDevices") PodDevices devices) {
    assertThat(PodDevicesCodec.decodeStrict(PodDevicesCodec.encode(devices))).isEqualTo(devices);
  }

  @Property
  void junkNeverThrowsAnythingButAnnotationFormatException(@ForAll String junk) {
    try {
      NodeRegistrationCodec.decode(junk);
    } catch (AnnotationFormatException expected) {
      // fine: a clear rejection
    }
    PodDevicesCodec.decodeLenient(junk);
  }

  @Provide
  Arbitrary<List<RegisteredGpu>> gpuLists() {
    Arbitrary<String> uuid = Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(20)
        .map(s -> "GPU-" + s);
    Arbitrary<RegisteredGpu> gpu = Combinators.combine(
        uuid,
        Arbitraries.integers().between(0, 64),
        Arbitraries.longs().between(0, 1_000_000),
        Arbitraries.of("NVIDIA-NVIDIA A100-PCIE-40GB", "NVIDIA-Tesla T4", "NVIDIA-NVIDIA H200"),
        Arbitraries.of(true, false),
        Arbitraries.of(GpuMode.values()))
        .as((u, s, m, t, h, mode) -> new RegisteredGpu(u, 0, s, m, t, h, mode));
    return gpu.list().ofMinSize(1).ofMaxSize(16).map(list -> {
      List<RegisteredGpu> indexed = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        indexed.add(list.get(i).withIndex(i));
      }
      return indexed;
    });
  }

  @Provide
  Arbitrary<PodDevices> podDevices() {
    Arbitrary<DeviceSlice> slice = Combinators.combine(
        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12).map(s -> "GPU-" + s),
        Arbitraries.longs().between(0, 200_000),
        Arbitraries.integers().between(0, 100))
        .as(DeviceSlice::nvidia);
    return slice.list().ofMinSize(1).ofMaxSize(4).list().ofMinSize(1).ofMaxSize(4).map(PodDevices::new);
  }
}
