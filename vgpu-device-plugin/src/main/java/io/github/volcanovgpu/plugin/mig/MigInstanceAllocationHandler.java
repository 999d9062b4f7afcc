package io.github.volcanovgpu.plugin.mig;

import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.cdi.DeviceListAnswer;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocate of the static MIG resources ({@code single}: the count resource; {@code mixed}:
 * {@code nvidia.com/mig-<profile>}), as NVIDIA's plugin answers: the kubelet's choice of MIG devices is the
 * allocation (no pod lookup), answered as the device list of those MIG UUIDs ({@link DeviceListAnswer}: CDI specs
 * first, then {@code cdi_devices} / annotation, {@code NVIDIA_VISIBLE_DEVICES}, volume mounts). No libvgpu.
 */
public final class MigInstanceAllocationHandler implements AllocationHandler {
  private static final Logger LOG = LoggerFactory.getLogger(MigInstanceAllocationHandler.class);

  private final Map<String, Map<String, MigInstance>> byResource = new HashMap<>();
  private final DeviceListAnswer answer;

  public MigInstanceAllocationHandler(Map<String, List<MigInstance>> resources, DeviceListAnswer answer) {
    resources.forEach((name, devices) -> {
      Map<String, MigInstance> ids = new HashMap<>();
      devices.forEach(d -> ids.put(d.uuid(), d));
      byResource.put(name, ids);
    });
    this.answer = Objects.requireNonNull(answer, "answer");
  }

  @Override
  public AllocateResponse allocate(String resourceName, AllocateRequest request) {
    Map<String, MigInstance> known = byResource.get(resourceName);
    if (known == null) {
      throw new AllocationException(Status.Code.INVALID_ARGUMENT, "resource " + resourceName
          + " is not a MIG resource of this plugin (serving " + byResource.keySet() + ")");
    }
    AllocateResponse.Builder out = AllocateResponse.newBuilder();
    for (ContainerAllocateRequest c : request.getContainerRequestsList()) {
      LinkedHashSet<String> uuids = new LinkedHashSet<>();
      for (String id : c.getDevicesIdsList()) {
        if (!known.containsKey(id)) {
          throw new AllocationException(Status.Code.INVALID_ARGUMENT,
              "device " + id + " is not a MIG device of " + resourceName);
        }
        uuids.add(id);
      }
      if (uuids.isEmpty()) {
        throw new AllocationException(Status.Code.INVALID_ARGUMENT,
            "container request for " + resourceName + " has no device IDs");
      }
      ContainerAllocateResponse.Builder response = ContainerAllocateResponse.newBuilder();
      try {
        answer.apply(response, new ArrayList<>(uuids), UUID.randomUUID().toString());
      } catch (CdiException e) {
        throw new AllocationException(Status.Code.INTERNAL,
            "CDI devices " + uuids + " of " + resourceName + " not ready: " + e.getMessage(), e);
      }
      LOG.info("allocated MIG devices {} of {}", uuids, resourceName);
      out.addContainerResponses(response);
    }
    return out.build();
  }
}
