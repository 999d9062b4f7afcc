package io.github.volcanovgpu.plugin.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad command lines end with one line naming what is wrong, never a stack trace. */
class MonitorMainTest {
  private static String[] run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = MonitorMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
    return new String[] {Integer.toString(code), err.toString()};
  }

  @Test
  void withoutANodeNameItSaysWhichFlagIsMissing() {
    String[] r = run(Map.of(), "--no-kube", "--fake-gpus", "1");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).isEqualTo("volcano-vgpu monitor: --node-name (or env NODE_NAME) is required\n")
        .doesNotContain("Exception");
  }

  @Test
  void aBadMetricsAddressOrIntervalIsNamed() {
    String[] r = run(Map.of(), "--node-name", "n1", "--no-kube", "--fake-gpus", "1", "--metrics-bind-address", "x:y:z");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).contains("--metrics-bind-address").doesNotContain("\tat ");
    r = run(Map.of(), "--node-name", "n1", "--no-kube", "--event-interval", "soon");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("--event-interval");
  }

  @Test
  void aBadFakeGpuArgumentIsNamed() {
    String[] r = run(Map.of(), "--node-name", "n1", "--no-kube", "--fake-gpus", "0", "--metrics-bind-address",
        "127.0.0.1:0");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).contains("fake GPU count must be between 1 and 1024, got 0").doesNotContain("\tat ");
  }
}
