package io.github.volcanovgpu.mig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigManagerMainTest {
  @TempDir
  Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = MigManagerMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void applyAssertAndExportWorkOnAFakeMachineFile() throws Exception {
    Path gpus = dir.resolve("gpus.yaml");
    Files.writeString(gpus, """
        gpus:
          - model: A100-40GB
            uuid: GPU-0
          - model: H200-141GB
            uuid: GPU-1
        """);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        version: v1
        mig-configs:
          all-balanced:
            - device-filter: "0x20B010DE"
              devices: all
              mig-enabled: true
              mig-devices: {"1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1}
            - device-filter: "0x233510DE"
              devices: all
              mig-enabled: true
              mig-devices: {"1g.18gb": 2, "2g.35gb": 1, "3g.71gb": 1}
        """);
    String f = config.toString();
    String g = gpus.toString();
    assertThat(run("assert", "--fake-gpus", g, "-f", f, "-c", "all-balanced").code()).isEqualTo(1);
    Result apply = run("apply", "--fake-gpus", g, "-f", f, "-c", "all-balanced");
    assertThat(apply.code()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("GPU 0: applied [3g.20gb@4:4, 2g.10gb@0:2, 1g.5gb@2:1, 1g.5gb@3:1]");
    assertThat(run("assert", "--fake-gpus", g, "-f", f, "-c", "all-balanced").code()).isZero();
    assertThat(run("apply", "--fake-gpus", g, "-f", f, "-c", "all-balanced").out()).contains("GPU 1: unchanged");
    Result export = run("export", "--fake-gpus", g);
    assertThat(export.out()).startsWith("version: \"v1\"\nmig-configs:\n  current:\n").contains("\"3g.71gb\": 1");
  }

  @Test
  void badInputIsAOneLineErrorNotAStackTrace() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "version: v2\n");
    Path gpus = dir.resolve("gpus.yaml");
    Files.writeString(gpus, "gpus: [{model: A100-40GB}]\n");
    Result r = run("apply", "--fake-gpus", gpus.toString(), "-f", config.toString(), "-c", "x");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("vgpu-mig-manager apply: " + config + ": unknown version: v2\n");
    Files.writeString(gpus, "gpus: [{model: T4}]\n");
    Result unknownModel = run("export", "--fake-gpus", gpus.toString());
    assertThat(unknownModel.err()).contains("unknown model 'T4'").doesNotContain("Exception");
  }
}
