package io.github.volcanovgpu.bridge.explain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExplanationTextTest {
  @Test
  void rendersEachPodsVerdictTheDevicesOfAResolvableNodeAndWhatWouldMakeItFit() {
    String text = ExplanationText.render(ExplanationJsonTest.sample());
    assertThat(text).isEqualTo("""
        pod default/big: pending; fits 1/3 nodes now: gpu-b
          node gpu-a: does not fit (DEVICES_REFUSED, pods leaving could help)
            node gpu-a: container main needs 1 GPU, not enough fit (2/2 INSUFFICIENT_MEMORY: not enough free memory)
            hamivgpu 0 GPU-a-0 NVIDIA-NVIDIA A100-PCIE-40GB  mem 16000/16384  cores 0%  shares 2/4  \
        INSUFFICIENT_MEMORY  [default/a, default/c]
            hamivgpu 1 GPU-a-1 NVIDIA-NVIDIA A100-PCIE-40GB  mem 13000/16384  cores 30%  shares 1/4  \
        INSUFFICIENT_MEMORY  [default/b]
            would fit if this pod left: default/a
          node gpu-b: fits; node locked since 2026-11-28T12:00:00Z (an allocation is in flight)
          1 node register no device of the kind the pod asks (NOT_REGISTERED): cpu-1
        pod team/q: pending; fits no node now (0/0)
          every node: QUOTA: pod team/q: limits.volcano.sh/vgpu-memory 20000 + 8000 > 24000
        pod default/web: bound to gpu-b; asks no device the vGPU sidecar manages: GPUs and NPUs do not keep it \
        pending
        """);
  }
}
