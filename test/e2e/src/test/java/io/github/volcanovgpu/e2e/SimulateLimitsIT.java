package io.github.volcanovgpu.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.BridgeMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./volcano-vgpu simulate} with the enforced-limit check: the shipped examples through the sidecar over HTTP,
 * then every placed GPU container's share run under libvgpu (built by the reactor before this module).
 */
class SimulateLimitsIT {
  private static final String[] ARGS = {"simulate", "--cluster", "../../examples/cluster.yaml", "--jobs",
      "../../examples/vcjobs", "--check-limits=on"};

  @Test
  void simulateChecksThatEveryPlacedShareIsEnforcedByLibvgpu() {
    Probe.locate(); // fails under CI=true when libvgpu-native is not built
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = BridgeMain.run(ARGS, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as(err.toString()).isZero();
    List<String> all = Arrays.stream(out.toString().split("\n")).filter(l -> l.contains(" -> ")).toList();
    // shares libvgpu enforces (NVIDIA, Ascend hami-core); Vastai devices are whole and template vNPUs are split by
    // the driver
    List<String> placements = all.stream().filter(l -> l.contains(",NVIDIA,") || l.contains(" -> a3-core-"))
        .toList();
    assertThat(placements).isNotEmpty().allMatch(l -> l.contains(" limit ok "));
    assertThat(placements).filteredOn(l -> l.contains(",Ascend910C,")).isNotEmpty();
    assertThat(all).filteredOn(l -> l.contains(",Vastai,") || l.contains(" -> a3-vnpu-")).isNotEmpty()
        .allMatch(l -> l.contains(" limit - "));
    Matcher m = Pattern.compile("enforced limits +(\\d+)/(\\d+) device pods ok").matcher(out.toString());
    assertThat(m.find()).as(out.toString()).isTrue();
    assertThat(m.group(1)).isEqualTo(m.group(2));
    assertThat(Integer.parseInt(m.group(2))).isEqualTo(placements.size());
    assertThat(out.toString()).doesNotContain("FAIL");
    assertThat(err.toString()).contains("enforced-limit check of " + all.size() + " pods");
  }

  @Test
  void checkLimitsRejectsAnUnknownModeClearly() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = BridgeMain.run(new String[] {"simulate", "--cluster", "../../examples/cluster.yaml", "--jobs",
        "../../examples/vcjobs", "--check-limits=maybe"}, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("--check-limits").contains("auto, on or off").doesNotContain("\tat ");
  }
}
