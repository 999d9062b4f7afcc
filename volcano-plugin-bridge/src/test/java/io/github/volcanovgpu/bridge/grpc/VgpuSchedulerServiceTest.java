package io.github.volcanovgpu.bridge.grpc;

import static io.github.volcanovgpu.bridge.grpc.ProtoFixtures.allocated;
import static io.github.volcanovgpu.bridge.grpc.ProtoFixtures.detailed;
import static io.github.volcanovgpu.bridge.grpc.ProtoFixtures.named;
import static io.github.volcanovgpu.bridge.grpc.ProtoFixtures.pending;
import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.proto.bridge.v1.AllocateRequest;
import io.github.volcanovgpu.proto.bridge.v1.AllocateResponse;
import io.github.volcanovgpu.proto.bridge.v1.CloseSessionRequest;
import io.github.volcanovgpu.proto.bridge.v1.ContainerView;
import io.github.volcanovgpu.proto.bridge.v1.DeallocateRequest;
import io.github.volcanovgpu.proto.bridge.v1.NodeDetails;
import io.github.volcanovgpu.proto.bridge.v1.NodeView;
import io.github.volcanovgpu.proto.bridge.v1.OpenSessionRequest;
import io.github.volcanovgpu.proto.bridge.v1.PredicateCode;
import io.github.volcanovgpu.proto.bridge.v1.PredicateRequest;
import io.github.volcanovgpu.proto.bridge.v1.PredicateResponse;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeRequest;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeResponse;
import io.github.volcanovgpu.proto.bridge.v1.TaskView;
import io.github.volcanovgpu.proto.bridge.v1.VgpuSchedulerGrpc;
import io.github.volcanovgpu.proto.bridge.v1.VgpuSchedulerGrpc.VgpuSchedulerBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every rpc of VgpuScheduler over an in-process channel, against the real PlacementEngine. */
class VgpuSchedulerServiceTest {
  private static final long CARD_MIB = 40960;

  private final RecordingWriter writer = new RecordingWriter();
  private Server server;
  private ManagedChannel channel;

  /** An in-process server with the production service definition (interceptor included), direct executors. */
  private VgpuSchedulerBlockingStub stub(PlacementEngine engine) throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(GrpcServer.service(engine))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return VgpuSchedulerGrpc.newBlockingStub(channel);
  }

  private VgpuSchedulerBlockingStub fallbackStub() throws IOException {
    return stub(Engines.fallback(writer, SchedulingPolicy.BINPACK));
  }

  @AfterEach
  void shutdown() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow();
    }
  }

  private static PodView gpuPod(String name, long memoryMib) {
    return pod(name).gpu(1, memoryMib, 0).build();
  }

  /** A pod already running on {@code node} with {@code memoryMib} of GPU {@code gpu} of that node. */
  private static PodView running(String name, String node, int gpu, long memoryMib) {
    String ids =
        PodDevicesCodec.encode(
            new PodDevices(List.of(List.of(DeviceSlice.nvidia("GPU-" + node + "-" + gpu, memoryMib, 0)))));
    return pod(name)
        .gpu(1, memoryMib, 0)
        .phase("Running")
        .onNode(node)
        .annotation(VgpuAnnotations.VGPU_IDS_NEW, ids)
        .build();
  }

  private static OpenSessionRequest session(NodeView... nodes) {
    return OpenSessionRequest.newBuilder().addAllNodes(List.of(nodes)).build();
  }

  private static PredicateRequest predicate(TaskView task, NodeView node) {
    return PredicateRequest.newBuilder().setTask(task).setNode(node).build();
  }

  // ---------------------------------------------------------------- sessions

  @Test
  void openSessionReportsHowManyNodesTheSnapshotHolds() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    int count =
        stub.openSession(session(detailed(node("n1").gpus(2, CARD_MIB).build()), detailed(node("n2").build())))
            .getNodeCount();

    assertThat(count).isEqualTo(2);
  }

  @Test
  void closeSessionAnswersEmptyAndKeepsTheSidecarServing() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).build())));

    assertThat(stub.closeSession(CloseSessionRequest.getDefaultInstance())).isNotNull();
    assertThat(stub.predicate(predicate(pending(gpuPod("p", 1000)), detailed(node("n1").gpus(1, CARD_MIB).build())))
        .getCode())
        .isEqualTo(PredicateCode.PREDICATE_CODE_SUCCESS);
  }

  @Test
  void openSessionRejectsANodeNamedOnlyNamingItsIndex() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).build()), named("n2"))),
        "nodes[1].details: required");
  }

  @Test
  void openSessionRejectsADuplicateNode() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    NodeView n1 = detailed(node("n1").gpus(1, CARD_MIB).build());

    assertInvalid(() -> stub.openSession(session(n1, n1)), "nodes[1].name: duplicate node \"n1\"");
  }

  @Test
  void openSessionRejectsAMalformedAllocatableQuantity() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    NodeView bad =
        detailed(node("n1").gpus(1, CARD_MIB).build()).toBuilder()
            .setDetails(
                detailed(node("n1").gpus(1, CARD_MIB).build()).getDetails().toBuilder()
                    .putAllocatable("volcano.sh/vgpu-memory", "lots"))
            .build();

    assertInvalid(
        () -> stub.openSession(session(bad)),
        "nodes[0].details.allocatable[\"volcano.sh/vgpu-memory\"]: \"lots\" is not a Kubernetes quantity");
  }

  @Test
  void openSessionRejectsAPodOnANodeWithoutUid() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    NodeView n1 = detailed(node("n1").gpus(1, CARD_MIB).pod(running("old", "n1", 0, 1000)).build());
    NodeView bad =
        n1.toBuilder()
            .setDetails(n1.getDetails().toBuilder().setPods(0, n1.getDetails().getPods(0).toBuilder().clearUid()))
            .build();

    assertInvalid(() -> stub.openSession(session(bad)), "nodes[0].details.pods[0].uid: required");
  }

  // ---------------------------------------------------------------- predicate

  @Test
  void predicateAnswersANodeNamedOnlyFromTheSessionSnapshot() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).pod(running("old", "n1", 0, 30000)).build())));

    PredicateResponse fits = stub.predicate(predicate(pending(gpuPod("small", 10000)), named("n1")));
    PredicateResponse tooBig = stub.predicate(predicate(pending(gpuPod("big", 20000)), named("n1")));

    assertThat(fits.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_SUCCESS);
    assertThat(fits.getReason()).isEmpty();
    assertThat(tooBig.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_UNSCHEDULABLE);
    assertThat(tooBig.getReason()).contains("n1").contains("INSUFFICIENT_MEMORY");
  }

  @Test
  void predicateAnswersANodeNamedOnlyFromTheSyncedCacheWithoutASession() throws IOException {
    InMemoryCluster cluster = new InMemoryCluster();
    cluster.putNode(node("n1").gpus(1, CARD_MIB).build());
    cluster.putPod(running("old", "n1", 0, 40000));
    VgpuSchedulerBlockingStub stub = stub(Engines.over(cluster, SchedulingPolicy.BINPACK));

    PredicateResponse response = stub.predicate(predicate(pending(gpuPod("p", 1000)), named("n1")));

    assertThat(response.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_UNSCHEDULABLE);
    assertThat(response.getReason()).contains("INSUFFICIENT_MEMORY");
  }

  @Test
  void predicateUsesTheNodeTheRequestCarriesInFull() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    PredicateResponse response =
        stub.predicate(
            predicate(
                pending(gpuPod("p", 50000)), detailed(node("n1").gpus(2, CARD_MIB).build())));

    assertThat(response.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(response.getReason()).contains("CARD_MEMORY_TOO_SMALL");
  }

  @Test
  void predicateRejectsNodeWithoutRegisterAnnotation() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    PredicateResponse response =
        stub.predicate(predicate(pending(gpuPod("p", 1000)), detailed(node("cpu-only").build())));

    assertThat(response.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(response.getReason()).contains(VgpuAnnotations.NODE_REGISTER);
  }

  @Test
  void predicateOnANodeNobodyDescribedIsAnErrorAnswerNotAFailedCall() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    PredicateResponse response = stub.predicate(predicate(pending(gpuPod("p", 1000)), named("ghost")));

    assertThat(response.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_ERROR);
    assertThat(response.getReason()).contains("ghost").contains("unknown");
  }

  @Test
  void predicateLetsAPodWithoutGpuRequestsThrough() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    PredicateResponse response =
        stub.predicate(predicate(pending(pod("cpu").plainContainer().build()), detailed(node("n1").build())));

    assertThat(response.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_SUCCESS);
  }

  // ---------------------------------------------------------------- prioritize

  @Test
  void prioritizeScoresEveryCandidateAndPrefersTheFullerNodeUnderBinpack() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(
        session(
            detailed(node("empty").gpus(1, CARD_MIB).build()),
            detailed(node("busy").gpus(1, CARD_MIB).pod(running("old", "busy", 0, 20000)).build()),
            detailed(node("full").gpus(1, CARD_MIB).pod(running("old2", "full", 0, 40000)).build())));

    PrioritizeResponse response =
        stub.prioritize(
            PrioritizeRequest.newBuilder()
                .setTask(pending(gpuPod("p", 10000)))
                .addNodes(named("empty"))
                .addNodes(named("busy"))
                .addNodes(named("full"))
                .build());

    assertThat(response.getErrorMessage()).isEmpty();
    assertThat(response.getNodeScoresMap()).containsOnlyKeys("empty", "busy", "full");
    assertThat(response.getNodeScoresMap().get("busy")).isGreaterThan(response.getNodeScoresMap().get("empty"));
    assertThat(response.getNodeScoresMap().get("empty")).isPositive();
    assertThat(response.getNodeScoresMap().get("full")).isZero();
  }

  @Test
  void prioritizeReportsAnUnreadableGpuRequestInTheErrorMessage() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    PrioritizeResponse response =
        stub.prioritize(
            PrioritizeRequest.newBuilder()
                .setTask(pending(pod("p").gpu(1, 101, 0).container("c1",
                    java.util.Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-cores", "150"),
                    java.util.Map.of()).build()))
                .addNodes(detailed(node("n1").gpus(1, CARD_MIB).build()))
                .build());

    assertThat(response.getErrorMessage()).contains("volcano.sh/vgpu-cores").contains("above 100");
    assertThat(response.getNodeScoresMap()).isEmpty();
  }

  @Test
  void prioritizeRejectsDuplicateCandidates() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.prioritize(
            PrioritizeRequest.newBuilder()
                .setTask(pending(gpuPod("p", 1000)))
                .addNodes(named("n1"))
                .addNodes(named("n2"))
                .addNodes(named("n1"))
                .build()),
        "nodes[2].name: duplicate node \"n1\"");
  }

  @Test
  void prioritizeRejectsACandidateWithoutName() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.prioritize(
            PrioritizeRequest.newBuilder()
                .setTask(pending(gpuPod("p", 1000)))
                .addNodes(NodeView.newBuilder().setDetails(NodeDetails.getDefaultInstance()))
                .build()),
        "nodes[0].name: required");
  }

  // ---------------------------------------------------------------- allocate / deallocate

  @Test
  void allocateWritesTheAssignmentAndLaterPredicatesSeeIt() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).build())));
    PodView first = gpuPod("first", 30000);

    AllocateResponse response =
        stub.allocate(AllocateRequest.newBuilder().setTask(allocated(first, "n1")).build());

    assertThat(response.getErrorMessage()).isEmpty();
    assertThat(writer.patches()).singleElement().satisfies(p -> {
      assertThat(p.podUid()).isEqualTo(first.uid());
      assertThat(p.changes())
          .containsEntry(VgpuAnnotations.VGPU_NODE, Optional.of("n1"))
          .containsEntry(VgpuAnnotations.VGPU_IDS_NEW, Optional.of("GPU-n1-0,NVIDIA,30000,0:"))
          .containsEntry(VgpuAnnotations.BIND_PHASE, Optional.of(VgpuAnnotations.BIND_PHASE_ALLOCATING));
    });
    assertThat(stub.predicate(predicate(pending(gpuPod("second", 20000)), named("n1"))).getCode())
        .isEqualTo(PredicateCode.PREDICATE_CODE_UNSCHEDULABLE);
  }

  @Test
  void allocateThatNoLongerFitsAnswersWithAnErrorMessage() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).build())));
    stub.allocate(AllocateRequest.newBuilder().setTask(allocated(gpuPod("first", 30000), "n1")).build());

    AllocateResponse response =
        stub.allocate(AllocateRequest.newBuilder().setTask(allocated(gpuPod("second", 30000), "n1")).build());

    assertThat(response.getErrorMessage()).contains("default/second").contains("n1").contains("refused");
  }

  @Test
  void allocateReportsAFailedAnnotationWriteInTheErrorMessage() throws IOException {
    writer.failWith(new io.github.volcanovgpu.bridge.scheduling.AssignmentWriter.AssignmentWriteException(
        "pod default/p not found"));
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).build())));

    AllocateResponse response =
        stub.allocate(AllocateRequest.newBuilder().setTask(allocated(gpuPod("p", 1000), "n1")).build());

    assertThat(response.getErrorMessage()).contains("pod default/p not found");
  }

  @Test
  void allocateWithoutANodeIsInvalidArgument() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.allocate(
            AllocateRequest.newBuilder()
                .setTask(pending(gpuPod("p", 1000)).toBuilder().setStatus(TaskStatus.ALLOCATED))
                .build()),
        "task.node_name: required for Allocate");
  }

  @Test
  void deallocateRollsTheAllocationBackAndFreesTheMemory() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).build())));
    PodView first = gpuPod("first", 30000);
    stub.allocate(AllocateRequest.newBuilder().setTask(allocated(first, "n1")).build());

    String error =
        stub.deallocate(DeallocateRequest.newBuilder().setTask(allocated(first, "n1")).build()).getErrorMessage();

    assertThat(error).isEmpty();
    assertThat(writer.patches()).hasSize(2);
    assertThat(writer.patches().get(1).changes())
        .containsEntry(VgpuAnnotations.VGPU_IDS_NEW, Optional.empty())
        .containsEntry(VgpuAnnotations.VGPU_NODE, Optional.empty());
    assertThat(stub.predicate(predicate(pending(gpuPod("second", 30000)), named("n1"))).getCode())
        .isEqualTo(PredicateCode.PREDICATE_CODE_SUCCESS);
  }

  @Test
  void deallocateOfATaskWithoutGpusSucceedsWithoutWrites() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    String error =
        stub.deallocate(
            DeallocateRequest.newBuilder().setTask(allocated(pod("cpu").plainContainer().build(), "n1")).build())
            .getErrorMessage();

    assertThat(error).isEmpty();
    assertThat(writer.patches()).isEmpty();
  }

  // ---------------------------------------------------------------- malformed requests

  @Test
  void aRequestWithoutTaskIsInvalidArgument() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.predicate(PredicateRequest.newBuilder().setNode(named("n1")).build()), "task: required");
    assertInvalid(() -> stub.deallocate(DeallocateRequest.getDefaultInstance()), "task: required");
  }

  @Test
  void aTaskWithoutPodIsInvalidArgument() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.predicate(predicate(TaskView.newBuilder().setStatus(1).build(), named("n1"))),
        "task.pod: required");
  }

  @Test
  void predicateWithoutNodeIsInvalidArgument() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.predicate(PredicateRequest.newBuilder().setTask(pending(gpuPod("p", 1000))).build()),
        "node: required");
  }

  @Test
  void aPodWithoutUidIsInvalidArgumentNamingTheField() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    TaskView task = pending(gpuPod("p", 1000));
    TaskView noUid = task.toBuilder().setPod(task.getPod().toBuilder().clearUid()).build();

    assertInvalid(() -> stub.predicate(predicate(noUid, named("n1"))), "task.pod.uid: required");
  }

  @Test
  void aMalformedQuantityIsInvalidArgumentNamingContainerAndResource() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    PodView bad =
        pod("p").plainContainer()
            .container("main", java.util.Map.of("volcano.sh/vgpu-memory", "ten GiB"), java.util.Map.of())
            .build();

    assertInvalid(
        () -> stub.predicate(predicate(pending(bad), named("n1"))),
        "task.pod.containers[1].limits[\"volcano.sh/vgpu-memory\"]: \"ten GiB\" is not a Kubernetes quantity");
  }

  @Test
  void wellFormedQuantitiesOfEveryKubernetesFormPass() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    PodView pod =
        pod("p")
            .container(
                "main",
                java.util.Map.of("cpu", "500m", "memory", "1.5Gi", "ephemeral-storage", "1e3",
                    "volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "1k"),
                java.util.Map.of("cpu", ".5", "memory", "+128974848"))
            .build();

    PredicateResponse response =
        stub.predicate(predicate(pending(pod), detailed(node("n1").gpus(1, CARD_MIB).build())));

    assertThat(response.getCode()).isEqualTo(PredicateCode.PREDICATE_CODE_SUCCESS);
  }

  @Test
  void aContainerWithoutNameIsInvalidArgument() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();
    TaskView task = pending(gpuPod("p", 1000));
    TaskView bad =
        task.toBuilder()
            .setPod(task.getPod().toBuilder().addInitContainers(ContainerView.newBuilder().putLimits("cpu", "1")))
            .build();

    assertInvalid(() -> stub.predicate(predicate(bad, named("n1"))), "task.pod.init_containers[0].name: required");
  }

  @Test
  void aNegativeTaskStatusIsInvalidArgument() throws IOException {
    VgpuSchedulerBlockingStub stub = fallbackStub();

    assertInvalid(
        () -> stub.predicate(predicate(pending(gpuPod("p", 1000)).toBuilder().setStatus(-4).build(), named("n1"))),
        "task.status: must be a Volcano TaskStatus flag");
  }

  @Test
  void anUnexpectedFailureIsInternalWithAShortDescriptionAndNoStackTrace() throws IOException {
    ClusterState broken = new ClusterState() {
      @Override
      public boolean isSynced() {
        return true;
      }

      @Override
      public java.util.Optional<io.github.volcanovgpu.bridge.model.NodeView> node(String name) {
        throw new IllegalStateException("boom");
      }
    };
    VgpuSchedulerBlockingStub stub = stub(new PlacementEngine(
        io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor.volcanoDefaults(), broken, writer,
        io.github.volcanovgpu.bridge.scheduling.NodeLock.DISABLED,
        io.github.volcanovgpu.bridge.scheduling.EngineConfig.defaults(), Engines.FIXED));

    assertThatThrownBy(
        () -> stub.allocate(AllocateRequest.newBuilder().setTask(allocated(gpuPod("p", 1000), "n1")).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("internal error in volcanovgpu.bridge.v1.VgpuScheduler/Allocate: "
                      + "IllegalStateException: boom")
                  .doesNotContain("\tat ");
              assertThat(e.getStatus().getCause()).isNull();
            });
  }

  @Test
  void anUnexpectedWriterFailureIsAnAllocateErrorMessageAndFreesTheShare() throws IOException {
    writer.failWith(new IllegalStateException("boom"));
    VgpuSchedulerBlockingStub stub = fallbackStub();
    stub.openSession(session(detailed(node("n1").gpus(1, CARD_MIB).build())));
    var reply = stub.allocate(AllocateRequest.newBuilder().setTask(allocated(gpuPod("p", 1000), "n1")).build());
    assertThat(reply.getErrorMessage()).contains("boom");
  }

  private static void assertInvalid(ThrowingCallable call, String descriptionPrefix) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).startsWith(descriptionPrefix);
            });
  }
}
