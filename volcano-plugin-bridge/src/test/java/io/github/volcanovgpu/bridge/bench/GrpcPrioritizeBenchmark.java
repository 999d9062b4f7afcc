package io.github.volcanovgpu.bridge.bench;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.grpc.GrpcServer;
import io.github.volcanovgpu.bridge.grpc.ProtoFixtures;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.bridge.testing.TestPods;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.process.HostPort;
import io.github.volcanovgpu.proto.bridge.v1.OpenSessionRequest;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeRequest;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeResponse;
import io.github.volcanovgpu.proto.bridge.v1.VgpuSchedulerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gRPC Prioritize over a 5,000-node x 8-GPU session (target: <= 50 ms per call). The session snapshot (every node in
 * full: register annotation, allocatable, three running vGPU pods with their {@code vgpu-ids-new}) is sent once with
 * OpenSession; each measured call names the 5,000 candidates and gets 5,000 scores back, through the production
 * server wiring ({@link GrpcServer}: interceptor, bounded executor), on an in-process transport (the target's
 * setting) and over TCP loopback (adds protobuf encoding and Netty). {@code engineOnly} is the same decision
 * without gRPC and mapping, to split the cost (it ignores {@code transport}).
 *
 * <p>Run: {@code java -cp ... org.openjdk.jmh.Main GrpcPrioritizeBenchmark -wi 2 -i 3 -w 1s -r 1s -f 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class GrpcPrioritizeBenchmark {
  private static final String[] TYPES = {"NVIDIA-NVIDIA A100-PCIE-40GB", "NVIDIA-Tesla V100-SXM2-32GB"};
  private static final long[] MEMORY_MIB = {40960, 32768};

  @Param({"5000"})
  public int nodes;

  /** {@code inprocess} passes message objects (no protobuf encoding); {@code tcp} is Netty over loopback. */
  @Param({"inprocess", "tcp"})
  public String transport;

  private GrpcServer server;
  private ManagedChannel channel;
  private VgpuSchedulerGrpc.VgpuSchedulerBlockingStub stub;
  private PrioritizeRequest request;
  private PlacementEngine engine;
  private TaskView task;
  private List<NodeView> named;

  @Setup(Level.Trial)
  public void setUp() {
    AssignmentWriter noWrites = (pod, changes) -> {};
    engine = Engines.fallback(noWrites, SchedulingPolicy.BINPACK);
    if (transport.equals("tcp")) {
      server = GrpcServer.tcp(new HostPort("127.0.0.1", 0), engine, GrpcServer.Settings.defaults()).start();
      channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port())
              .usePlaintext()
              .maxInboundMessageSize(64 * 1024 * 1024)
              .build();
    } else {
      String name = InProcessServerBuilder.generateName();
      server = new GrpcServer(InProcessServerBuilder.forName(name), engine, GrpcServer.Settings.defaults()).start();
      channel = InProcessChannelBuilder.forName(name).build();
    }
    stub = VgpuSchedulerGrpc.newBlockingStub(channel);

    Random random = new Random(42);
    OpenSessionRequest.Builder session = OpenSessionRequest.newBuilder();
    PrioritizeRequest.Builder candidates = PrioritizeRequest.newBuilder();
    named = new ArrayList<>(nodes);
    for (int n = 0; n < nodes; n++) {
      NodeView node = node("node-" + n, n % TYPES.length, random);
      session.addNodes(ProtoFixtures.detailed(node));
      candidates.addNodes(ProtoFixtures.named(node.name()));
      named.add(NodeView.named(node.name()));
    }
    int count = stub.openSession(session.build()).getNodeCount();
    if (count != nodes) {
      throw new IllegalStateException("session holds " + count + " nodes, expected " + nodes);
    }
    PodView pending =
        TestPods.pod("trainer-0")
            .namespace("team-a")
            .annotation(VgpuAnnotations.VOLCANO_GROUP_NAME, "trainer")
            .gpu(1, 8000, 20)
            .build();
    task = TaskView.of(pending);
    request = candidates.setTask(ProtoFixtures.pending(pending)).build();
    PrioritizeResponse check = stub.prioritize(request);
    if (check.getNodeScoresCount() != nodes || !check.getErrorMessage().isEmpty()) {
      throw new IllegalStateException("prioritize answered " + check.getNodeScoresCount() + " scores, error \""
          + check.getErrorMessage() + "\"");
    }
  }

  /** A node of 8 GPUs of one type with three running pods holding slices of random cards. */
  private static NodeView node(String name, int kind, Random random) {
    TestNodes node = TestNodes.node(name).type(TYPES[kind]).gpus(8, MEMORY_MIB[kind]);
    for (int p = 0; p < 3; p++) {
      int gpu = random.nextInt(8);
      long memory = 2000L * (1 + random.nextInt(5));
      String ids =
          PodDevicesCodec.encode(
              new PodDevices(List.of(List.of(DeviceSlice.nvidia("GPU-" + name + "-" + gpu, memory, 25)))));
      node.pod(
          TestPods.pod(name + "-job-" + p)
              .namespace("team-" + (p % 3))
              .phase("Running")
              .annotation(VgpuAnnotations.VGPU_NODE, name)
              .annotation(VgpuAnnotations.VGPU_IDS_NEW, ids)
              .annotation(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_SUCCESS)
              .annotation(VgpuAnnotations.VOLCANO_GROUP_NAME, "job-" + p)
              .gpu(1, memory, 25)
              .build());
    }
    return node.build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    channel.shutdownNow();
    server.stop();
  }

  @Benchmark
  public PrioritizeResponse grpcPrioritize() {
    return stub.prioritize(request);
  }

  @Benchmark
  public PrioritizeResult engineOnly() {
    return engine.prioritize(task, named);
  }
}
