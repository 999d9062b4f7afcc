package io.github.volcanovgpu.bridge.grpc;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.proto.bridge.v1.AllocateRequest;
import io.github.volcanovgpu.proto.bridge.v1.AllocateResponse;
import io.github.volcanovgpu.proto.bridge.v1.CloseSessionRequest;
import io.github.volcanovgpu.proto.bridge.v1.CloseSessionResponse;
import io.github.volcanovgpu.proto.bridge.v1.DeallocateRequest;
import io.github.volcanovgpu.proto.bridge.v1.DeallocateResponse;
import io.github.volcanovgpu.proto.bridge.v1.OpenSessionRequest;
import io.github.volcanovgpu.proto.bridge.v1.OpenSessionResponse;
import io.github.volcanovgpu.proto.bridge.v1.PredicateRequest;
import io.github.volcanovgpu.proto.bridge.v1.PredicateResponse;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeRequest;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeResponse;
import io.github.volcanovgpu.proto.bridge.v1.VgpuSchedulerGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;

/**
 * The {@code VgpuScheduler} gRPC service: maps requests to the model, asks the {@link PlacementEngine} (the same
 * core as the HTTP extender) and maps its answers back. Nodes named without details are handed to the engine as
 * {@link NodeView#named}; the engine answers them from its synced informer cache, else from the nodes last sent in
 * full ({@code OpenSession} or an earlier request). No session state is kept here: the engine owns it.
 * Malformed requests throw {@link InvalidRequestException}; {@link ErrorMappingInterceptor} (installed by
 * {@link GrpcServer}) turns every exception into a status.
 */
public final class VgpuSchedulerService extends VgpuSchedulerGrpc.VgpuSchedulerImplBase {
  private final PlacementEngine engine;

  public VgpuSchedulerService(PlacementEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  @Override
  public void openSession(OpenSessionRequest request, StreamObserver<OpenSessionResponse> responses) {
    List<NodeView> nodes = ProtoMapping.nodes(request.getNodesList(), "nodes", true);
    engine.openSession(nodes);
    reply(responses, OpenSessionResponse.newBuilder().setNodeCount(nodes.size()).build());
  }

  @Override
  public void closeSession(CloseSessionRequest request, StreamObserver<CloseSessionResponse> responses) {
    engine.closeSession();
    reply(responses, CloseSessionResponse.getDefaultInstance());
  }

  @Override
  public void predicate(PredicateRequest request, StreamObserver<PredicateResponse> responses) {
    TaskView task = ProtoMapping.task(request.hasTask(), request.getTask(), "task");
    if (!request.hasNode()) {
      throw new InvalidRequestException("node", "required");
    }
    NodeView node = ProtoMapping.node(request.getNode(), "node", false);
    reply(responses, ProtoMapping.predicateResponse(engine.predicate(task, node)));
  }

  @Override
  public void prioritize(PrioritizeRequest request, StreamObserver<PrioritizeResponse> responses) {
    TaskView task = ProtoMapping.task(request.hasTask(), request.getTask(), "task");
    List<NodeView> nodes = ProtoMapping.nodes(request.getNodesList(), "nodes", false);
    reply(responses, ProtoMapping.prioritizeResponse(engine.prioritize(task, nodes)));
  }

  @Override
  public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> responses) {
    TaskView task = ProtoMapping.task(request.hasTask(), request.getTask(), "task");
    if (task.nodeName().isEmpty() && task.pod().nodeName().isEmpty()) {
      throw new InvalidRequestException(
          "task.node_name", "required for Allocate: the node Volcano chose (or task.pod.node_name)");
    }
    reply(responses, ProtoMapping.allocateResponse(engine.allocate(task)));
  }

  @Override
  public void deallocate(DeallocateRequest request, StreamObserver<DeallocateResponse> responses) {
    TaskView task = ProtoMapping.task(request.hasTask(), request.getTask(), "task");
    reply(responses, ProtoMapping.deallocateResponse(engine.deallocate(task)));
  }

  private static <T> void reply(StreamObserver<T> responses, T response) {
    responses.onNext(response);
    responses.onCompleted();
  }
}
