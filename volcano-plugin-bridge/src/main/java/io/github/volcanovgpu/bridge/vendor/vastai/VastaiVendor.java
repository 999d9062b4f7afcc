package io.github.volcanovgpu.bridge.vendor.vastai;

import io.github.volcanovgpu.bridge.device.Allocation;
import io.github.volcanovgpu.bridge.device.AssignmentKeys;
import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.FitReport;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.device.RequestShape;
import io.github.volcanovgpu.bridge.device.Requests;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.bridge.vendor.hami.CommaList;
import io.github.volcanovgpu.bridge.vendor.hami.DeviceOrder;
import io.github.volcanovgpu.bridge.vendor.hami.HamiAssignment;
import io.github.volcanovgpu.contract.annotation.AnnotationFormatException;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.config.VastaiDeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Vastai (HAMi v2.9's {@code pkg/device/vastai}) as a device kind: {@code vastaitech.com/va} asks whole devices —
 * cards in full-card mode, dies in die mode ({@code DeviceStrategy: die} in the registration, decided by the first
 * device as HAMi does). A device is given to one container at a time (its registered count, default 1).
 *
 * <p>Die mode keeps a container's dies on one card (AIC) whenever one card has enough free dies: binpack takes the
 * card with the fewest free dies that hold the request, spread the one with the most; only when no single card
 * can hold it are the dies filled from the largest groups first (HAMi's rule). The node score adds HAMi's die bonus
 * sum(max dies on one card / dies of the container).
 *
 * <p>Selectors: {@code vastaitech.com/use-gpuuuid} / {@code nouse-gpuuuid} (device ids, as HAMi), and the seed's
 * {@code vastaitech.com/use-va} / {@code nouse-va}, declared but unused in HAMi: here comma lists of card (AIC) ids
 * the devices may / must not come from. {@code hami.io/gpu-scheduler-policy: mutex} (HAMi v2.10) treats a card with
 * any die in use as busy.
 */
public final class VastaiVendor implements DeviceVendor<VastaiDevice> {
  private final VastaiDeviceConfig config;
  private final HamiAssignment assignment =
      new HamiAssignment(VastaiAnnotations.COMMON_WORD, List.of());

  public VastaiVendor(VastaiDeviceConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public String deviceName() {
    return VastaiAnnotations.COMMON_WORD;
  }

  @Override
  public String metricFamily() {
    return "vastai";
  }

  @Override
  public RequestShape requestShape() {
    return RequestShape.countOnly(config.resourceCountName());
  }

  @Override
  public Set<String> resourceNames() {
    return Set.of(config.resourceCountName());
  }

  @Override
  public AssignmentKeys assignmentKeys() {
    return assignment.keys();
  }

  @Override
  public String nodeLockName() {
    return HamiAnnotations.NODE_LOCK;
  }

  @Override
  public Optional<PodDemand> demand(PodView pod) {
    List<ContainerDemand> demands = null;
    for (ContainerView c : pod.containers()) {
      Long count = Requests.limitOrRequest(pod, c, config.resourceCountName());
      if (count == null || count == 0) {
        continue;
      }
      if (count > 64) {
        throw Requests.invalid(pod, c, config.resourceCountName(), count + " is not a plausible number of devices");
      }
      if (demands == null) {
        demands = new ArrayList<>(2);
      }
      demands.add(new ContainerDemand(c.name(), count.intValue(), 0, 100, 0));
    }
    return demands == null ? Optional.empty() : Optional.of(new PodDemand(demands));
  }

  @Override
  public Inventory<VastaiDevice> inventory(NodeView node) {
    String register = node.annotations().get(VastaiAnnotations.NODE_REGISTER);
    if (register == null || register.isEmpty()) {
      return new Inventory.Unregistered<>("node " + node.name() + " has no " + VastaiAnnotations.NODE_REGISTER
          + " annotation (no Vastai device plugin registered on it)");
    }
    long allocatable;
    try {
      String raw = node.allocatable().get(config.resourceCountName());
      allocatable = raw == null ? 0 : Quantities.value(raw);
    } catch (IllegalArgumentException e) {
      allocatable = 0;
    }
    if (allocatable <= 0) {
      return new Inventory.Unregistered<>("node " + node.name() + " has no allocatable "
          + config.resourceCountName() + " (the device plugin has not registered with the kubelet)");
    }
    String handshake = node.annotations().getOrDefault(VastaiAnnotations.NODE_HANDSHAKE, "");
    if (handshake.startsWith(HamiAnnotations.HANDSHAKE_DELETED)) {
      return new Inventory.Unregistered<>("node " + node.name() + ": " + VastaiAnnotations.NODE_HANDSHAKE + "="
          + handshake + " (its devices were withdrawn)");
    }
    List<HamiDeviceInfo> infos;
    try {
      infos = HamiDeviceInfoCodec.decode(VastaiAnnotations.NODE_REGISTER, register);
    } catch (AnnotationFormatException e) {
      return new Inventory.Unregistered<>("node " + node.name() + ": " + e.getMessage());
    }
    List<VastaiDevice> devices = VastaiDevice.of(infos);
    return new Inventory.Registered<>(devices.get(0).die() ? SharingMode.DIE : SharingMode.EXCLUSIVE, devices);
  }

  @Override
  public PodDevices assigned(PodView pod) {
    return assignment.assigned(pod);
  }

  @Override
  public Map<String, String> allocationAnnotations(Allocation<VastaiDevice> allocation) {
    return assignment.annotations(allocation.node(), allocation.devices(), allocation.now(), Map.of());
  }

  // ---------------------------------------------------------------- fit

  @Override
  public FitResult fit(NodeUsage<VastaiDevice> usage, PodView pod, PodDemand demand, SchedulingPolicy policy) {
    List<DeviceUsage<VastaiDevice>> devices = usage.devices();
    int n = devices.size();
    boolean dieMode = usage.mode() == SharingMode.DIE;
    int[] shares = new int[n];
    for (int i = 0; i < n; i++) {
      shares[i] = devices.get(i).usedShares();
    }
    Set<String> allow = CommaList.of(pod.annotations().get(VastaiAnnotations.USE_UUID));
    Set<String> deny = CommaList.of(pod.annotations().get(VastaiAnnotations.NOUSE_UUID));
    Set<String> allowCards = CommaList.of(pod.annotations().get(VastaiAnnotations.USE_VA));
    Set<String> denyCards = CommaList.of(pod.annotations().get(VastaiAnnotations.NOUSE_VA));
    boolean mutex = CommaList.lowerCase(pod.annotations().get(VastaiAnnotations.SCHEDULER_POLICY))
        .contains(VastaiAnnotations.POLICY_MUTEX);
    int cards = 0;
    for (DeviceUsage<VastaiDevice> d : devices) {
      cards = Math.max(cards, d.device().card() + 1);
    }
    double score = 0;
    List<List<DeviceSlice>> assigned = new ArrayList<>();
    for (ContainerDemand c : demand.containers()) {
      boolean[] busyCards = new boolean[cards];
      if (mutex) {
        for (int i = 0; i < n; i++) {
          if (shares[i] > 0) {
            busyCards[devices.get(i).device().card()] = true;
          }
        }
      }
      double[] scores = cardScores(policy, devices, shares, cards);
      FitReport<VastaiFitFailure> report = new FitReport<>(VastaiFitFailure.class);
      List<Integer> passing = new ArrayList<>();
      for (int i : DeviceOrder.byScore(scores)) {
        VastaiDevice d = devices.get(i).device();
        VastaiFitFailure f = check(d, shares[i], allow, deny, allowCards, denyCards, busyCards);
        if (f == null) {
          passing.add(i);
        } else {
          report.add(i, f);
        }
      }
      List<Integer> chosen = dieMode ? dies(c.count(), passing, devices, policy, cards)
          : first(c.count(), passing);
      if (chosen.size() < c.count()) {
        return report.doesNotFit(usage.node(), c.containerName(), c.count(), dieMode ? "die" : "card", n);
      }
      List<DeviceSlice> slices = new ArrayList<>(chosen.size());
      int[] perCard = new int[cards];
      int most = 0;
      for (int i : chosen) {
        score += scores[i];
        shares[i]++;
        VastaiDevice d = devices.get(i).device();
        slices.add(new DeviceSlice(d.uuid(), VastaiAnnotations.COMMON_WORD, 0, 0));
        most = Math.max(most, ++perCard[d.card()]);
      }
      if (dieMode) {
        score += (double) most / chosen.size();
      }
      assigned.add(slices);
    }
    return new FitResult.Fits(new PodDevices(assigned), score);
  }

  private static @Nullable VastaiFitFailure check(VastaiDevice d, int used, Set<String> allow, Set<String> deny,
      Set<String> allowCards, Set<String> denyCards, boolean[] busyCards) {
    if (!d.healthy()) {
      return VastaiFitFailure.UNHEALTHY;
    }
    if (!allow.isEmpty() && !allow.contains(d.uuid())) {
      return VastaiFitFailure.UUID_NOT_ALLOWED;
    }
    if (deny.contains(d.uuid())) {
      return VastaiFitFailure.UUID_DENIED;
    }
    if (!allowCards.isEmpty() && !allowCards.contains(d.aic())) {
      return VastaiFitFailure.CARD_NOT_ALLOWED;
    }
    if (denyCards.contains(d.aic())) {
      return VastaiFitFailure.CARD_DENIED;
    }
    if (d.splitCount() <= used) {
      return VastaiFitFailure.IN_USE;
    }
    if (busyCards[d.card()]) {
      return VastaiFitFailure.CARD_BUSY;
    }
    return null;
  }

  /**
   * Each device's score: binpack prefers devices on the busiest card (100 x used devices of its card / devices of
   * its card), spread devices on idle cards (100); none scores 0. In full-card mode a card is one device.
   */
  private static double[] cardScores(SchedulingPolicy policy, List<DeviceUsage<VastaiDevice>> devices,
      int[] shares, int cards) {
    int n = devices.size();
    double[] scores = new double[n];
    if (policy == SchedulingPolicy.NONE) {
      return scores;
    }
    int[] onCard = new int[cards];
    int[] usedOnCard = new int[cards];
    for (int k = 0; k < n; k++) {
      int card = devices.get(k).device().card();
      onCard[card]++;
      usedOnCard[card] += shares[k] > 0 ? 1 : 0;
    }
    for (int i = 0; i < n; i++) {
      int card = devices.get(i).device().card();
      scores[i] = DeviceOrder.score(policy, usedOnCard[card], onCard[card], usedOnCard[card]);
    }
    return scores;
  }

  private static List<Integer> first(int count, List<Integer> passing) {
    return passing.subList(0, Math.min(count, passing.size()));
  }

  /** Die mode: one card's dies when a card can hold them all (binpack: the tightest, spread: the roomiest). */
  private static List<Integer> dies(int count, List<Integer> passing, List<DeviceUsage<VastaiDevice>> devices,
      SchedulingPolicy policy, int cards) {
    int[] free = new int[cards];
    int[] firstSeen = new int[cards];
    java.util.Arrays.fill(firstSeen, Integer.MAX_VALUE);
    for (int k = 0; k < passing.size(); k++) {
      int card = devices.get(passing.get(k)).device().card();
      free[card]++;
      firstSeen[card] = Math.min(firstSeen[card], k);
    }
    int best = -1;
    for (int card = 0; card < cards; card++) {
      if (free[card] < count) {
        continue;
      }
      boolean better = best < 0
          || (policy == SchedulingPolicy.SPREAD ? free[card] > free[best] : free[card] < free[best])
          || (free[card] == free[best] && firstSeen[card] < firstSeen[best]);
      if (better) {
        best = card;
      }
    }
    List<Integer> chosen = new ArrayList<>(count);
    if (best >= 0) {
      for (int i : passing) {
        if (chosen.size() < count && devices.get(i).device().card() == best) {
          chosen.add(i);
        }
      }
      return chosen;
    }
    // no card holds them all: fill from the cards with most free dies (ties: the card met first in walk order)
    Integer[] order = new Integer[cards];
    for (int card = 0; card < cards; card++) {
      order[card] = card;
    }
    java.util.Arrays.sort(order, (a, b) -> free[a] != free[b] ? Integer.compare(free[b], free[a])
        : Integer.compare(firstSeen[a], firstSeen[b]));
    for (int card : order) {
      for (int i : passing) {
        if (chosen.size() < count && devices.get(i).device().card() == card) {
          chosen.add(i);
        }
      }
    }
    return chosen;
  }
}
