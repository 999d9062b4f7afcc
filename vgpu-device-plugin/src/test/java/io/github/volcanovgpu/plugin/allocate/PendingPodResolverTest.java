package io.github.volcanovgpu.plugin.allocate;

import static io.github.volcanovgpu.plugin.allocate.TestPods.NODE;
import static io.github.volcanovgpu.plugin.allocate.TestPods.gpu;
import static io.github.volcanovgpu.plugin.allocate.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingPodResolverTest {
  private final PendingPodResolver resolver = new PendingPodResolver(NODE);

  @Test
  void podsOfOtherNodesAreIgnoredEvenWhenTheListContainsThem() {
    PodSnapshot boundElsewhere = pod("a", "GPU-a,NVIDIA,1,0:").nodeName("gpu-node-2").container(gpu("m", 1)).build();
    PodSnapshot annotatedElsewhere = pod("b", "GPU-a,NVIDIA,1,0:")
        .annotation(VgpuAnnotations.VGPU_NODE, "gpu-node-2").container(gpu("m", 1)).build();

    assertThat(resolver.resolve(List.of(boundElsewhere, annotatedElsewhere), 1)).isEmpty();
  }

  @Test
  void onlyPendingAllocatingPodsAreCandidates() {
    PodSnapshot running = pod("r", "GPU-a,NVIDIA,1,0:").phase("Running").container(gpu("m", 1)).build();
    PodSnapshot done = pod("d", "GPU-a,NVIDIA,1,0:").annotation(VgpuAnnotations.BIND_PHASE, "success")
        .container(gpu("m", 1)).build();
    PodSnapshot failed = pod("f", "GPU-a,NVIDIA,1,0:").annotation(VgpuAnnotations.BIND_PHASE, "failed")
        .container(gpu("m", 1)).build();
    PodSnapshot consumed = pod("c", ";").container(gpu("m", 1)).build();

    assertThat(resolver.resolve(List.of(running, done, failed, consumed), 1)).isEmpty();
    assertThat(resolver.explainNoMatch(List.of(running, done, failed, consumed), 1))
        .contains("no pending pod found on node " + NODE, "none of the 4 Pending pods");
  }

  @Test
  void theNextUnconsumedEntryDecidesNotThePodsTotal() {
    // the existing plugin compared the pod's total (3) with the request; the next container wants 1
    PodSnapshot p = pod("p", ";GPU-a,NVIDIA,1,0:;GPU-a,NVIDIA,1,0:GPU-b,NVIDIA,1,0:").container(gpu("m", 1)).build();

    assertThat(resolver.resolve(List.of(p), 3)).isEmpty();
    PendingPodResolver.Candidate c = resolver.resolve(List.of(p), 1).orElseThrow();
    assertThat(c.entryIndex()).isEqualTo(1);
    assertThat(resolver.resolve(List.of(p), 2)).isEmpty();
  }

  @Test
  void oldestVgpuTimeWinsAndTheDoneMarkerSortsLast() {
    PodSnapshot max = pod("max", "GPU-a,NVIDIA,1,0:").annotation(VgpuAnnotations.VGPU_TIME, "18446744073709551615")
        .container(gpu("m", 1)).build();
    PodSnapshot negative = pod("neg", "GPU-a,NVIDIA,1,0:").annotation(VgpuAnnotations.VGPU_TIME, "-5")
        .container(gpu("m", 1)).build();
    PodSnapshot young = pod("young", "GPU-a,NVIDIA,1,0:").annotation(VgpuAnnotations.VGPU_TIME, "2000")
        .container(gpu("m", 1)).build();
    PodSnapshot old = pod("old", "GPU-a,NVIDIA,1,0:").annotation(VgpuAnnotations.VGPU_TIME, "1500")
        .container(gpu("m", 1)).build();

    assertThat(resolver.resolve(List.of(max, negative, young, old), 1).orElseThrow().pod().name()).isEqualTo("old");
    assertThat(resolver.resolve(List.of(max, negative, young), 1).orElseThrow().pod().name()).isEqualTo("young");
  }
}
