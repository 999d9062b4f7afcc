package io.github.volcanovgpu.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI as a user runs it: the embedded simulation end to end over loopback HTTP, and bad input. */
class BridgeMainIT {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = BridgeMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static final String[] EXAMPLES = {"--cluster", "../examples/cluster.yaml", "--jobs", "../examples/vcjobs"};

  private static List<String> placementLines(String out) {
    return Arrays.stream(out.split("\n")).filter(l -> l.contains(" -> ")).toList();
  }

  @Test
  void simulatePlacesTheShippedExamplesAndReportsPacking() {
    Run r = run(concat("simulate", EXAMPLES));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("job default/llm-finetune (queue default, minAvailable 4): scheduled")
        .contains("job default/too-big (queue default, minAvailable 2): UNSCHEDULABLE")
        .contains("CARD_MEMORY_TOO_SMALL")
        .contains("== Per-GPU allocation")
        .contains("packing ratio")
        .contains("== Per-NPU allocation (Ascend910C)")
        .contains("== Per-device allocation (Vastai)")
        .contains("job default/npu-inference (queue default, minAvailable 4): scheduled")
        .contains("job default/npu-finetune (queue default, minAvailable 2): scheduled")
        .contains("job default/npu-batch (queue default, minAvailable 3): scheduled")
        .contains("job default/va-video (queue default, minAvailable 3): scheduled")
        .contains("tasks placed          45/47 (8/9 jobs)");
    assertThat(r.err()).contains("simulate: [5/9] too-big");
  }

  @Test
  void simulateWithoutCacheRebuildsTheLedgerFromNodeInfosAndPlacesTheSame() {
    Run cached = run(concat("simulate", EXAMPLES));
    Run fallback = run(concat("simulate", concat("--no-cache", EXAMPLES)));
    assertThat(fallback.code()).as(fallback.err()).isZero();
    assertThat(placementLines(fallback.out())).isEqualTo(placementLines(cached.out())).isNotEmpty();
  }

  @Test
  void spreadPolicyUsesMoreCardsThanBinpack() {
    Run binpack = run(concat("simulate", EXAMPLES));
    Run spread = run(concat("simulate", concat("--policy=spread", EXAMPLES)));
    assertThat(gpusInUse(spread.out())).isGreaterThan(gpusInUse(binpack.out()));
  }

  @Test
  void unknownPolicyIsAClearErrorWithExitCode1() {
    Run r = run(concat("simulate", concat("--policy=packed", EXAMPLES)));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("unknown scheduling policy \"packed\"").doesNotContain("\tat ");
  }

  @Test
  void missingClusterFileNamesIt() {
    Run r = run("simulate", "--cluster", "no-such.yaml", "--jobs", "../examples/vcjobs");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no-such.yaml");
  }

  @Test
  void unknownOptionIsAUsageError() {
    Run r = run("bridge", "--frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void badBindAddressIsAClearError() {
    Run r = run("bridge", "--no-kube", "--http-bind", "127.0.0.1:http");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("--http-bind: port of \"127.0.0.1:http\" is not a number");
  }

  @Test
  void anUnknownAscendChipInTheDeviceConfigFailsStartUpNamingTheKey() throws Exception {
    java.nio.file.Path config = java.nio.file.Files.createTempFile("device-config", ".yaml");
    java.nio.file.Files.writeString(config, """
        vnpus:
          configs:
          - {chipName: 920Z, commonWord: Ascend920Z, resourceName: huawei.com/Ascend920Z,
             resourceMemoryName: huawei.com/Ascend920Z-memory, memoryAllocatable: 1024, memoryCapacity: 1024}
        """);
    Run r = run("bridge", "--no-kube", "--http-bind", "127.0.0.1:0", "--device-config", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("vnpus.configs[0].chipName: unknown Ascend chip \"920Z\"").doesNotContain("\tat ");
  }

  private static int gpusInUse(String out) {
    String line = Arrays.stream(out.split("\n")).filter(l -> l.contains("GPUs in use")).findFirst().orElseThrow();
    return Integer.parseInt(line.replaceAll(".*GPUs in use\\s+(\\d+)/.*", "$1"));
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
