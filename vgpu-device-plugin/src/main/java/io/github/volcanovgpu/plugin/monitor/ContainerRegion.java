package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.contract.region.RegionSnapshot;
import java.util.List;
import java.util.Objects;

/**
 * One container's region as found on the node, with what its directory says about it.
 *
 * @param podUid from the directory name {@code <podUID>_<container>}
 * @param container from the directory name
 * @param podKey {@code <namespace>/<name>} from the Allocate's pod file, empty when there is none
 * @param cardUuids the container's logical devices in order (index i = the region's device i), from its limits file
 * @param region the region as read, with the processes found dead already removed
 */
public record ContainerRegion(String podUid, String container, String podKey, List<String> cardUuids,
    RegionSnapshot region) {
  public ContainerRegion {
    Objects.requireNonNull(podUid, "podUid");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(podKey, "podKey");
    cardUuids = List.copyOf(cardUuids);
    Objects.requireNonNull(region, "region");
  }
}
