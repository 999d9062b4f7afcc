package io.github.volcanovgpu.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * {@code simulate} plays Volcano's preempt action through the sidecar's {@code preemptable} verb over HTTP: a
 * high-priority job arriving on full cards evicts the fewest lower-priority shares that free a card.
 */
class SimulatePreemptionIT {
  private static String[] args(String... extra) {
    String[] base =
        {"simulate", "--cluster", "../examples/preempt/cluster.yaml", "--jobs", "../examples/preempt/vcjobs",
            "--check-limits", "off"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = BridgeMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  @Test
  void aHighPriorityJobOnFullCardsEvictsTheOneShareThatFreesACard() {
    String out = run(args());
    assertThat(out)
        .contains("job default/urgent (queue default, minAvailable 1): scheduled")
        .contains("  preempted for it: default/serving-large-0\n")
        .contains("serving-large-0                      -> t4-1           (evicted)")
        .contains("tasks placed          3/4 (2/2 jobs), 1 preempted");
  }

  @Test
  void withoutACacheTheSidecarJudgesFromVolcanosNodeInfosAndEvictsTheSame() {
    String out = run(args("--no-cache"));
    assertThat(out).contains("  preempted for it: default/serving-large-0\n")
        .contains("tasks placed          3/4 (2/2 jobs), 1 preempted");
  }
}
