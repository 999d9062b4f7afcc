package io.github.volcanovgpu.bridge.extender;

import static io.github.volcanovgpu.bridge.extender.VolcanoFixtures.REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.testing.Engines;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every answer shape the sidecar writes, byte for byte against the goldens in
 * {@code golden/volcano/responses/}, each read back the way Volcano's scheduler reads it. Where the engine gives the
 * answer, the golden is the endpoint's real reply. Regenerate with {@code -Dvolcano.golden.update=true} and review
 * the diff.
 */
class VolcanoResponseGoldenTest {
  private final NodeView node = VolcanoFixtures.realisticNode("node-a");
  /** One card whose cores are all taken (ten pods of 10 %). */
  private final NodeView full = VolcanoFixtures.gpuNode("node-full", 1, 10);
  private final ExtenderEndpoint endpoint = new ExtenderEndpoint(
      Engines.over(VolcanoFixtures.clusterOf(List.of(node, full)), SchedulingPolicy.BINPACK));

  @Test
  void predicateFits() throws IOException {
    byte[] reply = endpoint.handle(ExtenderVerb.PREDICATE,
        REQUESTS.predicate(VolcanoFixtures.pendingTask("fits", 1, 3000, 20), node)).body();

    VolcanoGolden.assertResponse("predicate-fits.json", reply);
    assertThat(VolcanoResponses.predicate(reply)).isEqualTo(new PredicateResponse("", 0));
    assertThat(VolcanoResponses.write(new PredicateResponse("", 0))).isEqualTo(reply);
  }

  @Test
  void predicateUnschedulableWhileTheNodeIsFullIsCodeTwo() throws IOException {
    byte[] reply = endpoint.handle(ExtenderVerb.PREDICATE,
        REQUESTS.predicate(VolcanoFixtures.pendingTask("fits", 1, 3000, 20), full)).body();

    VolcanoGolden.assertResponse("predicate-unschedulable.json", reply);
    PredicateResponse read = VolcanoResponses.predicate(reply);
    assertThat(read.code()).isEqualTo(2);
    assertThat(read.passes()).isFalse();
    assertThat(VolcanoResponses.write(read)).isEqualTo(reply);
  }

  @Test
  void predicateThatCanNeverFitTheNodeIsCodeThree() throws IOException {
    byte[] reply = endpoint.handle(ExtenderVerb.PREDICATE,
        REQUESTS.predicate(VolcanoFixtures.pendingTask("too-much-memory", 1, 50000, 0), node)).body();

    VolcanoGolden.assertResponse("predicate-unresolvable.json", reply);
    PredicateResponse read = VolcanoResponses.predicate(reply);
    assertThat(read.code()).isEqualTo(3);
    assertThat(VolcanoResponses.write(read)).isEqualTo(reply);
  }

  @Test
  void evictionPermitCarriesTheVictimsTaskInfosVerbatim() throws IOException {
    String victim = "{\"UID\":\"uid-b\",\"Name\":\"b\",\"Namespace\":\"default\",\"NodeName\":\"node-a\","
        + "\"Status\":32}";
    EvictionResponse r = new EvictionResponse(1, List.of(victim));

    VolcanoGolden.assertResponse("eviction-permit.json", VolcanoResponses.write(r));
    assertThat(VolcanoResponses.eviction(VolcanoGolden.response("eviction-permit.json")))
        .isEqualTo(new EvictionResponse(1, List.of("uid-b")));
  }

  @Test
  void evictionAbstainAndRejectNameNoVictims() throws IOException {
    VolcanoGolden.assertResponse("eviction-abstain.json", VolcanoResponses.write(new EvictionResponse(0, List.of())));
    VolcanoGolden.assertResponse("eviction-reject.json", VolcanoResponses.write(new EvictionResponse(-1, List.of())));
    assertThat(VolcanoResponses.eviction(VolcanoGolden.response("eviction-reject.json")))
        .isEqualTo(new EvictionResponse(-1, List.of()));
  }

  @Test
  void predicateErrorIsCodeOne() throws IOException {
    PredicateResponse r = new PredicateResponse("internal error: cache exploded", 1);

    VolcanoGolden.assertResponse("predicate-error.json", VolcanoResponses.write(r));
    assertThat(VolcanoResponses.predicate(VolcanoGolden.response("predicate-error.json"))).isEqualTo(r);
  }

  @Test
  void prioritizeScoresInTheOrderGiven() throws IOException {
    Map<String, Double> scores = new LinkedHashMap<>();
    scores.put("node-a", 12.5);
    scores.put("node-b", 0.0);
    scores.put("node-c", 100.0);
    PrioritizeResponse r = new PrioritizeResponse(scores, "");

    VolcanoGolden.assertResponse("prioritize.json", VolcanoResponses.write(r));
    PrioritizeResponse read = VolcanoResponses.prioritize(VolcanoGolden.response("prioritize.json"));
    assertThat(read).isEqualTo(r);
    assertThat(read.usable()).isTrue();
  }

  @Test
  void prioritizeFromTheEngine() throws IOException {
    TaskView task = VolcanoFixtures.pendingTask("fits", 1, 3000, 20);

    byte[] reply = endpoint.handle(ExtenderVerb.PRIORITIZE, REQUESTS.prioritize(task, List.of(node))).body();

    VolcanoGolden.assertResponse("prioritize-one-node.json", reply);
    assertThat(VolcanoResponses.prioritize(reply).nodeScore()).containsOnlyKeys("node-a");
  }

  @Test
  void prioritizeErrorStillHasAnEmptyScoreMap() throws IOException {
    PrioritizeResponse r = new PrioritizeResponse(Map.of(), "internal error: cache exploded");

    VolcanoGolden.assertResponse("prioritize-error.json", VolcanoResponses.write(r));
    assertThat(VolcanoResponses.prioritize(VolcanoGolden.response("prioritize-error.json"))).isEqualTo(r);
    assertThat(VolcanoResponses.write(new PrioritizeResponse(null, "internal error: cache exploded")))
        .as("a null map is written as {}")
        .isEqualTo(VolcanoResponses.write(r));
  }

  @Test
  void allocateAndDeallocateSucceedWithAnEmptyMessage() throws IOException {
    TaskView cpu = VolcanoFixtures.cpuTask("no-gpu");

    byte[] allocate =
        endpoint.handle(ExtenderVerb.ALLOCATE, REQUESTS.allocate(VolcanoFixtures.allocated(cpu, "node-a"))).body();
    byte[] deallocate = endpoint.handle(ExtenderVerb.DEALLOCATE, REQUESTS.deallocate(cpu)).body();

    VolcanoGolden.assertResponse("event-ok.json", allocate);
    VolcanoGolden.assertResponse("event-ok.json", deallocate);
    assertThat(VolcanoResponses.event(allocate).ok()).isTrue();
  }

  @Test
  void refusedAllocateCarriesTheReason() throws IOException {
    ExtenderEndpoint follower = new ExtenderEndpoint(
        Engines.fallback(AssignmentWriter.UNAVAILABLE, SchedulingPolicy.BINPACK),
        () -> Optional.of("this replica is not the leader"));
    TaskView task = VolcanoFixtures.pendingTask("fits", 1, 3000, 20);

    byte[] reply =
        follower.handle(ExtenderVerb.ALLOCATE, REQUESTS.allocate(VolcanoFixtures.allocated(task, "node-a"))).body();

    VolcanoGolden.assertResponse("event-refused.json", reply);
    assertThat(VolcanoResponses.event(reply).errorMessage())
        .isEqualTo("allocate of pod team-b/fits-worker-0 refused: this replica is not the leader");
  }

  @Test
  void sessionVerbsAnswerAnEmptyObject() throws IOException {
    byte[] open = endpoint.handle(ExtenderVerb.ON_SESSION_OPEN,
        REQUESTS.onSessionOpen(List.of(), List.of(node))).body();
    byte[] close = endpoint.handle(ExtenderVerb.ON_SESSION_CLOSE, VolcanoGolden.request("onSessionClose.json")).body();

    VolcanoGolden.assertResponse("session.json", open);
    VolcanoGolden.assertResponse("session.json", close);
  }

  @Test
  void aBodyTheSidecarCannotReadGets400WithTheReason() throws IOException {
    ExtenderReply reply = endpoint.handle(ExtenderVerb.ALLOCATE, new byte[0]);

    assertThat(reply.httpStatus()).isEqualTo(400);
    VolcanoGolden.assertResponse("bad-request.json", reply.body());
  }
}
