package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.plugin.kubelet.UnixTransport;
import io.github.volcanovgpu.proto.podresources.v1.ContainerDevices;
import io.github.volcanovgpu.proto.podresources.v1.ContainerResources;
import io.github.volcanovgpu.proto.podresources.v1.ListPodResourcesRequest;
import io.github.volcanovgpu.proto.podresources.v1.PodResources;
import io.github.volcanovgpu.proto.podresources.v1.PodResourcesListerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's pod-resources API v1 ({@code List}) over its unix socket, normally
 * {@code /var/lib/kubelet/pod-resources/kubelet.sock}. One channel, reconnecting by itself when the kubelet restarts.
 */
public final class KubeletPodResources implements PodResourcesSource, AutoCloseable {
  /** The kubelet's socket. */
  public static final Path DEFAULT_SOCKET = Path.of("/var/lib/kubelet/pod-resources/kubelet.sock");

  private final Path socket;
  private final ManagedChannel channel;
  private final Duration timeout;

  public KubeletPodResources(UnixTransport transport, Path socket, Duration timeout) {
    this.socket = socket;
    this.channel = transport.channel(socket);
    this.timeout = timeout;
  }

  @Override
  public List<PodContainer> list() {
    List<PodResources> pods;
    try {
      pods = PodResourcesListerGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(),
          TimeUnit.MILLISECONDS).list(ListPodResourcesRequest.getDefaultInstance()).getPodResourcesList();
    } catch (StatusRuntimeException e) {
      throw new PodResourcesException("cannot list pod resources from the kubelet at " + socket + ": "
          + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
              : " " + e.getStatus().getDescription()),
          e);
    }
    List<PodContainer> out = new ArrayList<>();
    for (PodResources p : pods) {
      for (ContainerResources c : p.getContainersList()) {
        List<String> ids = new ArrayList<>();
        for (ContainerDevices d : c.getDevicesList()) {
          ids.addAll(d.getDeviceIdsList());
        }
        if (!ids.isEmpty()) {
          out.add(new PodContainer(p.getNamespace(), p.getName(), c.getName(), ids));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
