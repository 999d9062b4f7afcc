package io.github.volcanovgpu.bridge.simulate;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session driver's Volcano semantics, with the engine called directly (the HTTP path has its own IT). */
class SessionDriverTest {
  private final InMemoryCluster cluster = new InMemoryCluster();
  private final PlacementEngine engine = Engines.over(cluster, SchedulingPolicy.BINPACK);
  private final ExecutorService workers = Executors.newFixedThreadPool(4);
  private final SessionDriver driver = new SessionDriver(new ExtenderClient() {
    @Override
    public PredicateResult predicate(TaskView task, NodeView node) {
      return engine.predicate(task, node);
    }

    @Override
    public PrioritizeResult prioritize(TaskView task, List<NodeView> nodes) {
      return engine.prioritize(task, nodes);
    }

    @Override
    public EventResult allocate(TaskView task) {
      return engine.allocate(task);
    }

    @Override
    public EventResult deallocate(TaskView task) {
      return engine.deallocate(task);
    }
  }, cluster, workers, false);

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  private VcJob job(String yaml) throws Exception {
    Path f = dir.resolve("job.yaml");
    Files.writeString(f, yaml);
    return VcJob.read(f).get(0);
  }

  private static String gang(String name, int replicas, int min, int memory) {
    return """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: %s}
        spec:
          minAvailable: %d
          tasks:
          - name: w
            replicas: %d
            template:
              spec:
                containers:
                - name: c
                  resources: {limits: {volcano.sh/vgpu-number: 1, volcano.sh/vgpu-memory: %d}}
        """.formatted(name, min, replicas, memory);
  }

  @Test
  void gangThatFitsIsBoundWithAnnotations() throws Exception {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    SessionDriver.JobOutcome out = driver.schedule(job(gang("ok", 2, 2, 2000)));
    assertThat(out.scheduled()).isTrue();
    for (PodView p : cluster.pods()) {
      assertThat(p.nodeName()).isEqualTo("n1");
      assertThat(p.annotations()).containsEntry(VgpuAnnotations.VGPU_IDS_NEW, "GPU-n1-0,NVIDIA,2000,0:");
    }
  }

  @Test
  void gangThatCannotFullyStartIsRolledBackWithNothingLeftAllocated() throws Exception {
    // the HAMi lab case: 2 x 6000 MiB on one 8 GiB card
    cluster.putNode(node("n1").gpus(1, 8192).build());
    SessionDriver.JobOutcome out = driver.schedule(job(gang("big", 2, 2, 6000)));
    assertThat(out.scheduled()).isFalse();
    assertThat(out.placements()).allMatch(p -> !p.placed());
    assertThat(out.placements().get(0).reason()).contains("gang big: 1/2");
    assertThat(out.placements().get(1).reason()).contains("INSUFFICIENT_MEMORY");
    assertThat(cluster.pods()).allMatch(p -> p.nodeName().isEmpty()
        && !p.annotations().containsKey(VgpuAnnotations.VGPU_IDS_NEW));
    assertThat(engine.usage(VgpuAnnotations.DEVICE_NAME).get("n1").devices().get(0).usedMemoryUnits()).isZero();
  }

  @Test
  void shippedExamplesParse() throws Exception {
    Path examples = Path.of("..", "examples", "vcjobs");
    try (var files = Files.list(examples)) {
      for (Path f : files.sorted().toList()) {
        assertThat(VcJob.read(f)).as(f.toString()).isNotEmpty();
      }
    }
    assertThat(ClusterSpec.read(Path.of("..", "examples", "cluster.yaml")).toNodes()).hasSize(22); // 16 GPU, 3 NPU, 3 Vastai
  }

  @Test
  void manifestOfAnotherKindIsRejectedWithWhatIsWrong() throws Exception {
    Path f = dir.resolve("deploy.yaml");
    Files.writeString(f, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {}\n");
    assertThatThrownBy(() -> VcJob.read(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("apiVersion must be batch.volcano.sh/v1alpha1")
        .hasMessageContaining("kind must be Job")
        .hasMessageContaining("spec.tasks");
  }
}
