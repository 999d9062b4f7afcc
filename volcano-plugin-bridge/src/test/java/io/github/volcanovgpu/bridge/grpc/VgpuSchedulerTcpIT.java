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
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.process.HostPort;
import io.github.volcanovgpu.proto.bridge.v1.AllocateRequest;
import io.github.volcanovgpu.proto.bridge.v1.CloseSessionRequest;
import io.github.volcanovgpu.proto.bridge.v1.DeallocateRequest;
import io.github.volcanovgpu.proto.bridge.v1.OpenSessionRequest;
import io.github.volcanovgpu.proto.bridge.v1.PredicateCode;
import io.github.volcanovgpu.proto.bridge.v1.PredicateRequest;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeRequest;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeResponse;
import io.github.volcanovgpu.proto.bridge.v1.VgpuSchedulerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sidecar's gRPC door over real TCP loopback: Netty server, health service, every verb, shutdown. */
class VgpuSchedulerTcpIT {
  private final RecordingWriter writer = new RecordingWriter();
  private GrpcServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    server =
        GrpcServer.tcp(new HostPort("127.0.0.1", 0), Engines.fallback(writer, SchedulingPolicy.BINPACK),
            GrpcServer.Settings.defaults())
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }

  @Test
  void bindsAnEphemeralPortAndReportsServing() {
    assertThat(server.port()).isPositive();
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);

    assertThat(health.check(HealthCheckRequest.newBuilder().setService(VgpuSchedulerGrpc.SERVICE_NAME).build())
        .getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void servesASessionEndToEnd() {
    VgpuSchedulerGrpc.VgpuSchedulerBlockingStub stub =
        VgpuSchedulerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    stub.openSession(
        OpenSessionRequest.newBuilder()
            .addNodes(detailed(node("n1").gpus(2, 40960).build()))
            .addNodes(detailed(node("n2").gpus(2, 40960).build()))
            .build());
    var task = pending(pod("p").gpu(1, 8000, 25).build());

    assertThat(stub.predicate(PredicateRequest.newBuilder().setTask(task).setNode(named("n1")).build()).getCode())
        .isEqualTo(PredicateCode.PREDICATE_CODE_SUCCESS);
    PrioritizeResponse scores =
        stub.prioritize(PrioritizeRequest.newBuilder().setTask(task).addNodes(named("n1")).addNodes(named("n2"))
            .build());
    assertThat(scores.getNodeScoresMap()).containsOnlyKeys("n1", "n2");
    assertThat(
        stub.allocate(AllocateRequest.newBuilder().setTask(allocated(pod("p").gpu(1, 8000, 25).build(), "n1"))
            .build()).getErrorMessage())
        .isEmpty();
    assertThat(
        stub.deallocate(DeallocateRequest.newBuilder()
            .setTask(allocated(pod("p").gpu(1, 8000, 25).build(), "n1")).build()).getErrorMessage())
        .isEmpty();
    stub.closeSession(CloseSessionRequest.getDefaultInstance());
    assertThat(writer.patches()).hasSize(2);
  }

  @Test
  void acceptsASessionSnapshotLargerThanGrpcsDefaultFourMegabytes() {
    OpenSessionRequest.Builder request = OpenSessionRequest.newBuilder();
    String padding = "x".repeat(64 * 1024);
    for (int i = 0; i < 100; i++) {
      request.addNodes(detailed(node("n" + i).gpus(8, 40960).annotation("example.com/notes", padding).build()));
    }
    assertThat(request.build().getSerializedSize()).isGreaterThan(6 * 1024 * 1024);

    int count = VgpuSchedulerGrpc.newBlockingStub(channel).openSession(request.build()).getNodeCount();

    assertThat(count).isEqualTo(100);
  }

  @Test
  void answersConcurrentPredicatesFromManyClients() throws Exception {
    VgpuSchedulerGrpc.VgpuSchedulerBlockingStub stub = VgpuSchedulerGrpc.newBlockingStub(channel);
    stub.openSession(OpenSessionRequest.newBuilder().addNodes(detailed(node("n1").gpus(8, 40960).build())).build());
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<Future<PredicateCode>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        var task = pending(pod("p" + i).gpu(1, 1000, 10).build());
        answers.add(clients.submit(
            () -> stub.predicate(PredicateRequest.newBuilder().setTask(task).setNode(named("n1")).build()).getCode()));
      }
      for (Future<PredicateCode> a : answers) {
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(PredicateCode.PREDICATE_CODE_SUCCESS);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void malformedRequestsGetInvalidArgumentOverTheWire() {
    VgpuSchedulerGrpc.VgpuSchedulerBlockingStub stub = VgpuSchedulerGrpc.newBlockingStub(channel);

    assertThatThrownBy(() -> stub.predicate(PredicateRequest.newBuilder().setNode(named("n1")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isEqualTo("task: required");
        });
  }

  @Test
  void afterStopHealthIsGoneAndCallsAreRefused() {
    server.stop();

    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }
}
