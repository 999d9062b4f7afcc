package io.github.volcanovgpu.plugin.kubelet;

import io.github.volcanovgpu.contract.kubelet.DevicePluginConstants;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.device.AdvertisedDevice;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerPreferredAllocationResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginGrpc;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginOptions;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Empty;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ListAndWatchResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.NUMANode;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreStartContainerRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreStartContainerResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.TopologyInfo;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's {@code DevicePlugin} service for ONE resource: advertises its IDs with the cards' health, pushes
 * the full list on every health change to every ListAndWatch stream, prefers IDs of the same card(s) and delegates
 * Allocate to the {@link AllocationHandler} after checking the IDs.
 */
public final class DevicePluginService extends DevicePluginGrpc.DevicePluginImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(DevicePluginService.class);
  static final DevicePluginOptions OPTIONS =
      DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true).build();

  private final PluginResource resource;
  private final HealthState health;
  private final Map<String, AdvertisedDevice> byId = new HashMap<>();
  private final Map<String, Integer> order = new HashMap<>();
  private final Object lock = new Object();
  private final List<ServerCallStreamObserver<ListAndWatchResponse>> watchers = new ArrayList<>();
  private final Runnable onHealthChange = this::broadcast;

  public DevicePluginService(PluginResource resource, HealthState health) {
    this.resource = resource;
    this.health = health;
    for (int i = 0; i < resource.devices().size(); i++) {
      AdvertisedDevice d = resource.devices().get(i);
      byId.put(d.id(), d);
      order.put(d.id(), i);
    }
    health.addListener(onHealthChange);
  }

  public PluginResource resource() {
    return resource;
  }

  /** The list as the kubelet sees it now. */
  public ListAndWatchResponse currentList() {
    ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
    for (AdvertisedDevice d : resource.devices()) {
      b.addDevices(device(d, health.isHealthy(d.uuid())));
    }
    return b.build();
  }

  /** One entry of the ListAndWatch list: ID, health and, when the device has one, its NUMA node. */
  static Device device(AdvertisedDevice d, boolean healthy) {
    Device.Builder device = Device.newBuilder()
        .setID(d.id())
        .setHealth(healthy ? DevicePluginConstants.HEALTHY : DevicePluginConstants.UNHEALTHY);
    if (d.numaNode() >= 0) {
      device.setTopology(TopologyInfo.newBuilder().addNodes(NUMANode.newBuilder().setID(d.numaNode())));
    }
    return device.build();
  }

  @Override
  public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> out) {
    out.onNext(OPTIONS);
    out.onCompleted();
  }

  @Override
  public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> out) {
    ServerCallStreamObserver<ListAndWatchResponse> watcher = (ServerCallStreamObserver<ListAndWatchResponse>) out;
    synchronized (lock) {
      watcher.setOnCancelHandler(() -> {
        synchronized (lock) {
          watchers.remove(watcher);
        }
      });
      watchers.add(watcher);
      watcher.onNext(currentList());
    }
    LOG.info("{}: kubelet opened ListAndWatch ({} devices)", resource.resourceName(), resource.devices().size());
  }

  private void broadcast() {
    synchronized (lock) {
      ListAndWatchResponse list = currentList();
      for (ServerCallStreamObserver<ListAndWatchResponse> w : List.copyOf(watchers)) {
        try {
          if (w.isCancelled()) {
            watchers.remove(w);
          } else {
            w.onNext(list);
          }
        } catch (RuntimeException e) {
          LOG.debug("{}: dropping a ListAndWatch stream: {}", resource.resourceName(), e.toString());
          watchers.remove(w);
        }
      }
    }
  }

  /** Ends every ListAndWatch stream (plugin stopping); the service stays usable for a later server. */
  public void endStreams() {
    synchronized (lock) {
      for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
        try {
          w.onCompleted();
        } catch (RuntimeException e) {
          LOG.debug("{}: stream already gone: {}", resource.resourceName(), e.toString());
        }
      }
      watchers.clear();
    }
  }

  /** Stops listening to health changes (plugin shut down for good). */
  public void close() {
    health.removeListener(onHealthChange);
    endStreams();
  }

  int watcherCount() {
    synchronized (lock) {
      return watchers.size();
    }
  }

  @Override
  public void getPreferredAllocation(PreferredAllocationRequest request,
      StreamObserver<PreferredAllocationResponse> out) {
    PreferredAllocationResponse.Builder b = PreferredAllocationResponse.newBuilder();
    for (ContainerPreferredAllocationRequest c : request.getContainerRequestsList()) {
      List<String> expected;
      try {
        expected = resource.handler().expectedCards(resource.resourceName(), c.getAllocationSize());
      } catch (RuntimeException e) {
        LOG.debug("{}: no expected cards for GetPreferredAllocation: {}", resource.resourceName(), e.toString());
        expected = List.of();
      }
      List<String> preferred = prefer(c.getAvailableDeviceIDsList(), c.getMustIncludeDeviceIDsList(),
          c.getAllocationSize(), expected);
      LOG.debug("{}: GetPreferredAllocation of {} (cards expected {}): {}", resource.resourceName(),
          c.getAllocationSize(), expected, preferred);
      b.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(preferred));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  /**
   * The must-include IDs; then one available ID of each card the scheduler assigned ({@code expectedCards}, when
   * the handler knows the pod); then, for {@link PluginResource.Grouping#ONE_PER_CARD}, one ID of each further card
   * (cards with most available IDs first), or for {@link PluginResource.Grouping#PACK} the IDs of the cards already
   * chosen and then whole cards with most available IDs first. Lowest advertised order within a card.
   */
  List<String> prefer(List<String> available, List<String> mustInclude, int size, List<String> expectedCards) {
    Set<String> chosen = new LinkedHashSet<>();
    Set<String> chosenCards = new LinkedHashSet<>();
    for (String id : mustInclude) {
      if (chosen.size() >= Math.max(size, mustInclude.size())) {
        break;
      }
      chosen.add(id);
      AdvertisedDevice d = byId.get(id);
      if (d != null) {
        chosenCards.add(d.uuid());
      }
    }
    Map<String, List<String>> perCard = new LinkedHashMap<>();
    available.stream()
        .filter(byId::containsKey)
        .filter(id -> !chosen.contains(id))
        .distinct()
        .sorted(Comparator.comparingInt(order::get))
        .forEach(id -> perCard.computeIfAbsent(byId.get(id).uuid(), k -> new ArrayList<>()).add(id));
    boolean onePerCard = resource.grouping() == PluginResource.Grouping.ONE_PER_CARD;
    for (String card : expectedCards) {
      List<String> ids = perCard.get(card);
      if (chosen.size() >= size || ids == null || ids.isEmpty() || (onePerCard && chosenCards.contains(card))) {
        continue;
      }
      chosen.add(ids.remove(0));
      chosenCards.add(card);
    }
    List<String> cards = new ArrayList<>(perCard.keySet());
    cards.sort(Comparator.<String>comparingInt(u -> chosenCards.contains(u) ? 0 : 1)
        .thenComparing(Comparator.<String>comparingInt(u -> perCard.get(u).size()).reversed()));
    if (onePerCard) {
      for (String card : cards) {
        if (chosen.size() >= size) {
          break;
        }
        if (chosenCards.add(card) && !perCard.get(card).isEmpty()) {
          chosen.add(perCard.get(card).get(0));
        }
      }
    }
    for (String card : cards) { // PACK, or fewer cards than IDs asked for: fill up (the kubelet decides anyway)
      for (String id : perCard.get(card)) {
        if (chosen.size() >= size) {
          return List.copyOf(chosen);
        }
        chosen.add(id);
      }
    }
    return List.copyOf(chosen);
  }

  @Override
  public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> out) {
    for (ContainerAllocateRequest c : request.getContainerRequestsList()) {
      for (String id : c.getDevicesIdsList()) {
        if (!byId.containsKey(id)) {
          out.onError(Status.INVALID_ARGUMENT
              .withDescription("unknown device ID \"" + id + "\" for resource " + resource.resourceName())
              .asRuntimeException());
          return;
        }
      }
    }
    AllocateResponse response;
    try {
      response = resource.handler().allocate(resource.resourceName(), request);
    } catch (AllocationHandler.AllocationException e) {
      LOG.warn("{}: Allocate failed ({}): {}", resource.resourceName(), e.code(), e.getMessage());
      out.onError(Status.fromCode(e.code()).withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      LOG.error("{}: Allocate failed unexpectedly", resource.resourceName(), e);
      out.onError(Status.INTERNAL
          .withDescription("allocation of " + resource.resourceName() + " failed: " + e.getClass().getSimpleName())
          .asRuntimeException());
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }

  @Override
  public void preStartContainer(PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> out) {
    out.onNext(PreStartContainerResponse.getDefaultInstance());
    out.onCompleted();
  }
}
