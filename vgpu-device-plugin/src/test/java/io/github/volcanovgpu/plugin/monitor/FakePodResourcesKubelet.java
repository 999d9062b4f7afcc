package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.plugin.kubelet.UnixTransport;
import io.github.volcanovgpu.proto.podresources.v1.ContainerDevices;
import io.github.volcanovgpu.proto.podresources.v1.ContainerResources;
import io.github.volcanovgpu.proto.podresources.v1.ListPodResourcesRequest;
import io.github.volcanovgpu.proto.podresources.v1.ListPodResourcesResponse;
import io.github.volcanovgpu.proto.podresources.v1.PodResources;
import io.github.volcanovgpu.proto.podresources.v1.PodResourcesListerGrpc;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The kubelet's pod-resources service, played on a real unix socket: it lists what the test put in. */
public final class FakePodResourcesKubelet extends PodResourcesListerGrpc.PodResourcesListerImplBase
    implements AutoCloseable {
  private final List<PodResources> pods = new CopyOnWriteArrayList<>();
  private final Server server;

  public FakePodResourcesKubelet(UnixTransport transport, Path socket) throws IOException {
    server = transport.server(socket, this).start();
  }

  /** Lists {@code container} of pod {@code namespace/name} holding {@code deviceIds} of {@code resource}. */
  public void add(String namespace, String name, String container, String resource, String... deviceIds) {
    pods.add(PodResources.newBuilder().setNamespace(namespace).setName(name).addContainers(ContainerResources
        .newBuilder().setName(container).addDevices(ContainerDevices.newBuilder().setResourceName(resource)
            .addAllDeviceIds(List.of(deviceIds))))
        .build());
  }

  @Override
  public void list(ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> out) {
    out.onNext(ListPodResourcesResponse.newBuilder().addAllPodResources(pods).build());
    out.onCompleted();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
