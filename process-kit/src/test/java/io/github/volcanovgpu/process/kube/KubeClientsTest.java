package io.github.volcanovgpu.process.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeClientsTest {
  @Test
  void missingKubeconfigIsNamedInTheError(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> KubeClients.fromKubeconfig(missing))
        .isInstanceOf(KubeClients.KubeConfigException.class)
        .hasMessage("cannot read kubeconfig " + missing + ": no such readable file");
  }

  @Test
  void kubeconfigWithoutCurrentContextIsRejected(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\nclusters: []\n");

    assertThatThrownBy(() -> KubeClients.fromKubeconfig(file))
        .isInstanceOf(KubeClients.KubeConfigException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void watchClientHasNoReadTimeoutAndRequestClientHasOne(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
        users:
        - name: u
          user: {token: secret}
        contexts:
        - name: x
          context: {cluster: c, user: u}
        current-context: x
        """);

    KubeClients clients = KubeClients.fromKubeconfig(file);

    assertThat(clients.requests().getBasePath()).isEqualTo("https://127.0.0.1:1");
    assertThat(clients.requests().getReadTimeout()).isEqualTo(30_000);
    assertThat(clients.watches().getReadTimeout()).isZero();
    assertThat(clients.requests().getConnectTimeout()).isEqualTo(10_000);
  }
}
