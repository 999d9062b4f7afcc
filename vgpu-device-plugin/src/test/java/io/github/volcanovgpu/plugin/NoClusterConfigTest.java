package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.process.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./volcano-vgpu device-plugin --fake-gpus 2} on a workstation: no {@code --kubeconfig}, no {@code --no-kube},
 * not in a pod. It must say in one line what is missing and how to fix it, and exit 1.
 */
class NoClusterConfigTest {
  @TempDir
  Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int runWith(Map<String, String> env) {
    String[] args = {"--node-name", "n1", "--fake-gpus", "2", "--metrics-bind-address", "", "--device-plugin-path",
        tmp.resolve("dp").toString(), "--device-config", tmp.resolve("none.yaml").toString(), "--node-config",
        tmp.resolve("none.json").toString()};
    return DevicePluginMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
  }

  @Test
  void outsideAPodItNamesTheMissingConfigurationAndTheWaysToGiveIt() {
    int code = runWith(Map.of("HOME", tmp.toString()));

    assertThat(code).isEqualTo(Cli.FAILED);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("volcano-vgpu device-plugin: no Kubernetes API server configured")
        .contains("KUBERNETES_SERVICE_HOST is not set")
        .contains("--kubeconfig FILE").contains("--no-kube")
        .doesNotContain("Exception");
  }

  @Test
  void aServiceHostWithoutItsPortIsNamedInsteadOfANumberFormatException() {
    int code = runWith(Map.of("HOME", tmp.toString(), "KUBERNETES_SERVICE_HOST", "10.96.0.1"));

    assertThat(code).isEqualTo(Cli.FAILED);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("volcano-vgpu device-plugin: no Kubernetes API server configured")
        .contains("KUBERNETES_SERVICE_PORT is not set")
        .contains("--kubeconfig FILE").contains("--no-kube")
        .doesNotContain("Exception").doesNotContain("null");
  }

  @Test
  void aKubeconfigInTheEnvironmentIsSuggestedAsTheFlag() {
    int code = runWith(Map.of("HOME", tmp.toString(), "KUBECONFIG", "/home/me/.kube/lab"));

    assertThat(code).isEqualTo(Cli.FAILED);
    assertThat(err.toString().lines()).singleElement().asString()
        .contains("KUBECONFIG is not read: pass --kubeconfig /home/me/.kube/lab");
  }
}
