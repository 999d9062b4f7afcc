package io.github.volcanovgpu.e2e;

import io.github.volcanovgpu.plugin.kubelet.TestKubelet;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationRequest;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.PatchUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet side of a test node: {@link TestKubelet} (registration socket, ListAndWatch) plus what the kubelet does
 * with it: puts the healthy device counts into the Node's allocatable, and for each pod bound to the node admits it
 * like the device manager: per container (init containers first) and per requested resource, picks free healthy IDs
 * (GetPreferredAllocation when the plugin offers it), calls Allocate, records the response, marks the pod Running.
 */
final class E2eKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(E2eKubelet.class);
  private final String node;
  private final String namespace;
  private final ApiClient client;
  private final CoreV1Api api;
  private final TestKubelet kubelet;
  private final List<String> resources;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "e2e-kubelet");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Map<String, ContainerAllocateResponse>> admitted = new ConcurrentHashMap<>();
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> inUse = new ConcurrentHashMap<>();
  private volatile Map<String, Long> published = Map.of();

  E2eKubelet(String node, String namespace, ApiClient client, Path dir, List<String> resources) throws Exception {
    this.node = node;
    this.namespace = namespace;
    this.client = client;
    this.api = new CoreV1Api(client);
    this.resources = List.copyOf(resources);
    this.kubelet = new TestKubelet(dir).start();
    loop.scheduleWithFixedDelay(this::tick, 50, 100, TimeUnit.MILLISECONDS);
  }

  TestKubelet sockets() {
    return kubelet;
  }

  /** Like a kubelet restart: sockets wiped, the plugin must register again. Admitted pods keep their devices. */
  void restart() throws Exception {
    kubelet.restart();
  }

  /** Container name to Allocate response of an admitted pod; empty until admitted. */
  Map<String, ContainerAllocateResponse> responses(String podUid) {
    return admitted.getOrDefault(podUid, Map.of());
  }

  boolean admitted(String podUid) {
    return admitted.containsKey(podUid);
  }

  Map<String, String> failures() {
    return Map.copyOf(failures);
  }

  private synchronized void tick() {
    try {
      publishAllocatable();
      for (V1Pod pod : api.listNamespacedPod(namespace).fieldSelector("spec.nodeName=" + node).execute()
          .getItems()) {
        String uid = pod.getMetadata().getUid();
        if (!admitted.containsKey(uid) && !failures.containsKey(uid)) {
          admit(pod);
        }
      }
    } catch (Exception e) {
      LOG.debug("kubelet {} tick: {}", node, e.toString());
    }
  }

  private void publishAllocatable() throws Exception {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String r : resources) {
      counts.put(r, kubelet.devices(r).stream().filter(d -> d.getHealth().equals("Healthy")).count());
    }
    if (counts.equals(published)) {
      return;
    }
    Map<String, Object> alloc = new LinkedHashMap<>();
    counts.forEach((k, v) -> alloc.put(k, Long.toString(v)));
    String patch = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
        Map.of("status", Map.of("allocatable", alloc, "capacity", alloc)));
    PatchUtils.patch(V1Pod.class, () -> api.patchNodeStatus(node, new V1Patch(patch)).buildCall(null),
        V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
    published = counts;
  }

  private void admit(V1Pod pod) throws Exception {
    String uid = pod.getMetadata().getUid();
    Map<String, ContainerAllocateResponse> out = new LinkedHashMap<>();
    List<V1Container> all = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    all.addAll(pod.getSpec().getContainers());
    for (V1Container c : all) {
      Map<String, Quantity> limits = c.getResources() == null ? null : c.getResources().getLimits();
      if (limits == null) {
        continue;
      }
      for (String resource : resources) {
        Quantity q = limits.get(resource);
        if (q == null || q.getNumber().longValue() <= 0) {
          continue;
        }
        int size = q.getNumber().intValue();
        Set<String> used = inUse.computeIfAbsent(resource, r -> ConcurrentHashMap.newKeySet());
        List<String> free = new ArrayList<>();
        for (Device d : kubelet.devices(resource)) {
          if (d.getHealth().equals("Healthy") && !used.contains(d.getID())) {
            free.add(d.getID());
          }
        }
        if (free.size() < size) {
          failures.put(uid, "UnexpectedAdmissionError: " + resource + " wants " + size + ", " + free.size()
              + " free");
          return;
        }
        List<String> ids = free.subList(0, size);
        var opts = kubelet.options(resource);
        if (opts != null && opts.getGetPreferredAllocationAvailable()) {
          ids = kubelet.preferred(resource, PreferredAllocationRequest.newBuilder()
              .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(free)
                  .setAllocationSize(size))
              .build()).getContainerResponses(0).getDeviceIDsList();
        }
        ContainerAllocateResponse r;
        try {
          r = kubelet.allocate(resource, AllocateRequest.newBuilder()
              .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids)).build())
              .getContainerResponses(0);
        } catch (RuntimeException e) {
          failures.put(uid, "Allocate " + resource + " for " + c.getName() + ": " + e.getMessage());
          return;
        }
        used.addAll(ids);
        if (!r.getEnvsMap().isEmpty() || r.getCdiDevicesCount() > 0 || r.getMountsCount() > 0) {
          out.put(c.getName(), r);
        }
      }
    }
    admitted.put(uid, out);
    V1Patch status = new V1Patch("{\"status\":{\"phase\":\"Running\"}}");
    PatchUtils.patch(V1Pod.class, () -> api.patchNamespacedPodStatus(pod.getMetadata().getName(), namespace,
        status).buildCall(null),
        V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
  }

  @Override
  public void close() throws Exception {
    loop.shutdownNow();
    loop.awaitTermination(5, TimeUnit.SECONDS);
    kubelet.close();
  }
}
