package io.github.volcanovgpu.bridge.extender;

import static io.github.volcanovgpu.bridge.extender.VolcanoFixtures.REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExtenderEndpointTest {
  private final List<NodeView> nodes =
      List.of(
          VolcanoFixtures.realisticNode("node-a"),
          VolcanoFixtures.gpuNode("node-b", 8, 8),
          VolcanoFixtures.gpuNode("node-c", 2, 30));
  private final InMemoryCluster cluster = VolcanoFixtures.clusterOf(nodes);
  private final ExtenderEndpoint synced =
      new ExtenderEndpoint(Engines.over(cluster, SchedulingPolicy.BINPACK));
  private final ExtenderEndpoint fallback =
      new ExtenderEndpoint(Engines.fallback(AssignmentWriter.UNAVAILABLE, SchedulingPolicy.BINPACK));

  private final List<TaskView> tasks =
      List.of(
          VolcanoFixtures.pendingTask("fits", 1, 3000, 20),
          VolcanoFixtures.pendingTask("two-cards", 2, 20000, 50),
          VolcanoFixtures.pendingTask("too-much-memory", 1, 50000, 0),
          VolcanoFixtures.pendingTask("too-many-cards", 9, 1000, 0),
          VolcanoFixtures.pendingTask("whole-card", 1, 0, 100),
          VolcanoFixtures.cpuTask("no-gpu"));

  @Test
  void predicateGivesTheSameAnswerOnTheFastPathAndTheFallback() {
    int rejected = 0;
    for (TaskView task : tasks) {
      for (NodeView node : nodes) {
        byte[] body = REQUESTS.predicate(task, node);
        ExtenderReply fast = synced.handle(ExtenderVerb.PREDICATE, body);
        ExtenderReply slow = fallback.handle(ExtenderVerb.PREDICATE, body);

        assertThat(fast.httpStatus()).isEqualTo(200);
        assertThat(fast).as("%s on %s", task.pod().name(), node.name()).isEqualTo(slow);
        PredicateResponse r = VolcanoResponses.predicate(fast.body());
        if (!r.passes()) {
          rejected++;
          assertThat(r.code()).isIn(2, 3);
        }
      }
    }
    assertThat(rejected).as("some rejections among the cases").isBetween(6, 17);
  }

  @Test
  void predicateAnswersExactlyAsVolcanoDecodes() {
    byte[] fits = REQUESTS.predicate(tasks.get(0), nodes.get(0));
    byte[] tooMuch = REQUESTS.predicate(tasks.get(2), nodes.get(0));

    assertThat(synced.handle(ExtenderVerb.PREDICATE, fits).bodyText()).isEqualTo("{\"status\":\"\",\"code\":0}");
    assertThat(synced.handle(ExtenderVerb.PREDICATE, tooMuch).bodyText())
        .matches("\\{\"status\":\"[^\"]+\",\"code\":[23]}");
  }

  @Test
  void prioritizeGivesTheSameScoresOnTheFastPathAndTheFallback() {
    for (TaskView task : tasks) {
      byte[] body = REQUESTS.prioritize(task, nodes);

      ExtenderReply fast = synced.handle(ExtenderVerb.PRIORITIZE, body);
      ExtenderReply slow = fallback.handle(ExtenderVerb.PRIORITIZE, body);

      assertThat(fast).as(task.pod().name()).isEqualTo(slow);
      PrioritizeResponse r = VolcanoResponses.prioritize(fast.body());
      assertThat(r.usable()).isTrue();
      assertThat(r.nodeScore()).containsOnlyKeys("node-a", "node-b", "node-c");
    }
    PrioritizeResponse fitting = VolcanoResponses.prioritize(
        synced.handle(ExtenderVerb.PRIORITIZE, REQUESTS.prioritize(tasks.get(0), nodes)).body());
    assertThat(fitting.nodeScore().values()).anyMatch(s -> s > 0);
  }

  @Test
  void allocateWritesTheAssignmentAndDeallocateRemovesIt() {
    TaskView task = tasks.get(0);
    cluster.putPod(task.pod());

    ExtenderReply allocated =
        synced.handle(ExtenderVerb.ALLOCATE, REQUESTS.allocate(VolcanoFixtures.allocated(task, "node-b")));

    assertThat(allocated.bodyText()).isEqualTo("{\"errorMessage\":\"\"}");
    assertThat(cluster.pod(task.pod().uid()).orElseThrow().annotations())
        .containsEntry(VgpuAnnotations.VGPU_NODE, "node-b")
        .containsKey(VgpuAnnotations.VGPU_IDS_NEW);

    TaskView rolledBack = new TaskView(task.pod().withNodeName("node-b"), TaskStatus.PENDING, "node-b",
        task.podAnnotations());
    ExtenderReply released = synced.handle(ExtenderVerb.DEALLOCATE, REQUESTS.deallocate(rolledBack));

    assertThat(released.bodyText()).isEqualTo("{\"errorMessage\":\"\"}");
    assertThat(cluster.pod(task.pod().uid()).orElseThrow().annotations())
        .doesNotContainKey(VgpuAnnotations.VGPU_IDS_NEW);
  }

  @Test
  void refusedAllocateCarriesTheReason() {
    TaskView huge = tasks.get(2);
    cluster.putPod(huge.pod());

    EventResponse r = VolcanoResponses.event(
        synced.handle(ExtenderVerb.ALLOCATE, REQUESTS.allocate(VolcanoFixtures.allocated(huge, "node-a"))).body());

    assertThat(r.ok()).isFalse();
    assertThat(r.errorMessage()).contains("node-a");
  }

  @Test
  void anExceptionInsideTheEngineBecomesAnInternalErrorAnswer() {
    ExtenderEndpoint broken = new ExtenderEndpoint(new PlacementEngine(NvidiaVendor.volcanoDefaults(),
        new ExplodingCache(), AssignmentWriter.UNAVAILABLE, NodeLock.DISABLED, EngineConfig.defaults(),
        Engines.FIXED));
    TaskView task = tasks.get(0);

    ExtenderReply predicate = broken.handle(ExtenderVerb.PREDICATE, REQUESTS.predicate(task, nodes.get(0)));
    ExtenderReply prioritize = broken.handle(ExtenderVerb.PRIORITIZE, REQUESTS.prioritize(task, nodes));
    ExtenderReply allocate =
        broken.handle(ExtenderVerb.ALLOCATE, REQUESTS.allocate(VolcanoFixtures.allocated(task, "node-a")));

    assertThat(predicate.httpStatus()).isEqualTo(200);
    assertThat(predicate.bodyText()).isEqualTo("{\"status\":\"internal error: cache exploded\",\"code\":1}");
    assertThat(prioritize.bodyText())
        .isEqualTo("{\"nodeScore\":{},\"errorMessage\":\"internal error: cache exploded\"}");
    assertThat(allocate.bodyText()).isEqualTo("{\"errorMessage\":\"internal error: cache exploded\"}");
    assertThat(predicate.bodyText()).doesNotContain("at io.github", "Exception");
  }

  @Test
  void badBodiesGet400WithTheReason() {
    ExtenderReply reply = synced.handle(ExtenderVerb.ALLOCATE, new byte[0]);

    assertThat(reply.httpStatus()).isEqualTo(400);
    assertThat(reply.bodyText())
        .isEqualTo("{\"error\":\"empty allocate body: expected a JSON object {\\\"task\\\": TaskInfo}\"}");
  }

  @Test
  void sessionVerbsAnswerAnEmptyObject() {
    byte[] open = REQUESTS.onSessionOpen(tasks, nodes);

    assertThat(synced.handle(ExtenderVerb.ON_SESSION_OPEN, open).bodyText()).isEqualTo("{}");
    assertThat(synced.handle(ExtenderVerb.ON_SESSION_CLOSE, "{}".getBytes(StandardCharsets.UTF_8)).bodyText())
        .isEqualTo("{}");
  }

  @Test
  void sessionOpenBodyIsReadOnlyWhenTheEngineNeedsNodeDetails() {
    byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
    PlacementEngine engine = Engines.fallback(AssignmentWriter.UNAVAILABLE, SchedulingPolicy.BINPACK);
    ExtenderEndpoint endpoint = new ExtenderEndpoint(engine);

    assertThat(synced.handle(ExtenderVerb.ON_SESSION_OPEN, garbage).httpStatus()).isEqualTo(200);
    assertThat(endpoint.handle(ExtenderVerb.ON_SESSION_OPEN, garbage).httpStatus()).isEqualTo(400);
    assertThat(endpoint.handle(ExtenderVerb.ON_SESSION_OPEN, REQUESTS.onSessionOpen(tasks, nodes)).httpStatus())
        .isEqualTo(200);
    assertThat(engine.usage(VgpuAnnotations.DEVICE_NAME)).containsOnlyKeys("node-a", "node-b", "node-c");
  }

  /** A synced cache whose reads fail: stands for a bug inside the engine. */
  private static final class ExplodingCache implements ClusterState {
    @Override
    public boolean isSynced() {
      return true;
    }

    @Override
    public Optional<NodeView> node(String name) {
      throw new IllegalStateException("cache exploded");
    }

    @Override
    public Collection<String> nodeNames() {
      return List.of();
    }
  }
}
