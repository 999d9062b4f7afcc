package io.github.volcanovgpu.bridge.explain;

import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.scheduling.Explanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.DeviceExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.NodeExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.PodExplanation;
import java.util.List;

/**
 * An {@link Explanation} in plain text, for people: per pod a verdict line, then per node the predicate's message,
 * the devices of the kind that refused (usage and each one's reason) and what would make the pod fit.
 *
 * <pre>
 * pod default/big-0: pending; fits no node now (0/2)
 *   node gpu-a: does not fit (DEVICES_REFUSED, pods leaving could help)
 *     node gpu-a: container main needs 1 GPU, not enough fit (2/2 INSUFFICIENT_MEMORY: not enough free memory)
 *     GPU 0 GPU-a-0 NVIDIA-A100-40GB  mem 30000/40960  cores 50%  shares 2/10  INSUFFICIENT_MEMORY  [default/a-0]
 *     would fit if this pod left: default/a-0
 * </pre>
 *
 * A node whose refusal no eviction can lift shows only the predicate's message (it names every device's code);
 * nodes that register no device of the kind are listed on one line.
 */
public final class ExplanationText {
  private ExplanationText() {}

  public static String render(Explanation e) {
    StringBuilder sb = new StringBuilder(1024);
    for (PodExplanation p : e.pods()) {
      pod(sb, p);
    }
    if (e.pods().isEmpty()) {
      sb.append(e.subject()).append(": no pods\n");
    }
    return sb.toString();
  }

  private static void pod(StringBuilder sb, PodExplanation p) {
    sb.append("pod ").append(p.pod()).append(": ");
    sb.append(p.boundTo().isEmpty() ? "pending" : "bound to " + p.boundTo());
    if (!p.asksDevices()) {
      sb.append("; asks no device the vGPU sidecar manages: GPUs and NPUs do not keep it pending\n");
      return;
    }
    List<String> fits = p.fitsOn();
    sb.append("; fits ");
    if (fits.isEmpty()) {
      sb.append("no node now (0/").append(p.nodes().size()).append(")\n");
    } else {
      sb.append(fits.size()).append('/').append(p.nodes().size()).append(" nodes now: ")
          .append(String.join(", ", fits)).append('\n');
    }
    p.podRefusal().ifPresent(r -> sb.append("  every node: ").append(r.cause().name()).append(": ")
        .append(r.message()).append('\n'));
    if (p.podRefusal().isPresent()) {
      return;
    }
    List<String> unregistered = new java.util.ArrayList<>();
    for (NodeExplanation n : p.nodes()) {
      if (n.refusal().map(r -> r.cause() == RefusalCause.NOT_REGISTERED).orElse(false)) {
        unregistered.add(n.node());
      } else {
        node(sb, n);
      }
    }
    if (!unregistered.isEmpty()) {
      sb.append("  ").append(unregistered.size()).append(unregistered.size() == 1 ? " node" : " nodes")
          .append(" register no device of the kind the pod asks (NOT_REGISTERED): ")
          .append(String.join(", ", unregistered)).append('\n');
    }
  }

  private static void node(StringBuilder sb, NodeExplanation n) {
    sb.append("  node ").append(n.node()).append(": ");
    if (n.fits()) {
      sb.append("fits");
    } else {
      sb.append("does not fit (").append(n.refusal().orElseThrow().cause().name())
          .append(n.resolvable() ? ", pods leaving could help" : ", pods leaving cannot help").append(')');
    }
    if (!n.lockedSince().isEmpty()) {
      sb.append("; node locked since ").append(n.lockedSince()).append(" (an allocation is in flight)");
    }
    sb.append('\n');
    if (n.fits()) {
      return;
    }
    sb.append("    ").append(n.message()).append('\n');
    if (!n.resolvable()) {
      return; // the message names every device's reason; no pod leaving changes them
    }
    for (DeviceExplanation d : n.devices()) {
      sb.append("    ").append(n.kind()).append(' ').append(d.index()).append(' ').append(d.id()).append(' ')
          .append(d.type()).append(d.healthy() ? "" : " UNHEALTHY").append("  mem ").append(d.memoryUsedUnits())
          .append('/').append(d.memoryTotalUnits()).append("  cores ").append(d.coresUsedPercent())
          .append("%  shares ").append(d.sharesUsed()).append('/').append(d.splitCount()).append("  ")
          .append(d.refusal().isEmpty() ? "could take it" : d.refusal());
      if (!d.pods().isEmpty()) {
        sb.append("  [").append(String.join(", ", d.pods())).append(']');
      }
      sb.append('\n');
    }
    if (!n.relief().isEmpty()) {
      sb.append("    would fit if ").append(n.relief().size() == 1 ? "this pod left: " : "these pods left: ")
          .append(String.join(", ", n.relief())).append('\n');
    } else {
      sb.append("    no set of pods on this node frees enough\n");
    }
  }
}
