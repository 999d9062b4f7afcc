package io.github.volcanovgpu.process.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
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

  @Test
  void aPodEnvironmentWithoutItsServiceAccountNamesTheMissingFile(@TempDir Path dir) {
    Map<String, String> env = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443");

    assertThatThrownBy(() -> KubeClients.inCluster(env, dir))
        .isInstanceOf(KubeClients.KubeConfigException.class)
        .hasMessage("no Kubernetes API server configured: no --kubeconfig given and the pod's service account is "
            + "not mounted (cannot read " + dir.resolve("token") + "); give --kubeconfig FILE, run in a pod with a "
            + "service account, or add --no-kube to run without an API server");
  }

  @Test
  void aServicePortThatIsNotAPortNumberIsNamed(@TempDir Path dir) {
    Map<String, String> env = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "https");

    assertThatThrownBy(() -> KubeClients.inCluster(env, dir))
        .isInstanceOf(KubeClients.KubeConfigException.class)
        .hasMessageContaining("KUBERNETES_SERVICE_PORT \"https\" is not a port number");
  }

  @Test
  void inClusterClientsUseTheServiceAddressAndAccountOfTheEnvironment(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("token"), "secret-token\n");
    Files.writeString(dir.resolve("ca.crt"), anyTrustedCertificateAsPem());

    KubeClients v4 = KubeClients.inCluster(
        Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"), dir);
    KubeClients v6 = KubeClients.inCluster(
        Map.of("KUBERNETES_SERVICE_HOST", "fd00::1", "KUBERNETES_SERVICE_PORT", "6443"), dir);

    assertThat(v4.requests().getBasePath()).isEqualTo("https://10.96.0.1:443");
    assertThat(v4.requests().getReadTimeout()).isEqualTo(30_000);
    assertThat(v4.watches().getReadTimeout()).isZero();
    assertThat(v6.watches().getBasePath()).isEqualTo("https://[fd00::1]:6443");
  }

  /** A real certificate to stand for the cluster CA: the first of the JDK's trust store. */
  private static String anyTrustedCertificateAsPem() throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try (InputStream in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "security",
        "cacerts"))) {
      store.load(in, null);
    }
    Certificate cert = store.getCertificate(Collections.list(store.aliases()).get(0));
    return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
  }
}
