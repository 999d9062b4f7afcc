package io.github.volcanovgpu.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real kubelet (1.36, with containerd) of {@code scripts/k8s-local.sh} for tests (root only): start it for a node, stop it, and read
 * the Allocate responses it recorded in its device-manager checkpoint. The kubelet always uses
 * {@link #PLUGIN_DIR}, so one such test runs at a time per machine.
 */
public final class RealKubelet {
  /** Where the kubelet serves {@code kubelet.sock} and looks for plugin sockets (hard-coded, still in 1.36). */
  public static final Path PLUGIN_DIR = Path.of("/var/lib/kubelet/device-plugins");

  /**
   * The image a test container can run ({@code imagePullPolicy: Never}): Debian's static busybox, imported into the
   * kubelet's containerd by {@code scripts/k8s-local.sh up} (no registry).
   */
  public static final String WORKLOAD_IMAGE = "localhost/busybox:1";

  private static final Path CHECKPOINT = PLUGIN_DIR.resolve("kubelet_internal_checkpoint");

  /** Where the logs of every kubelet a test started are kept (tests run in the module's directory). */
  private static final Path KEPT_LOGS = Path.of("target", "kubelet-logs").toAbsolutePath();

  private final Path script;

  private RealKubelet(Path script) {
    this.script = script;
  }

  /**
   * The kubelet script, or the test is skipped with the reason (not root, no cgroup filesystem); with
   * {@code CI=true} a missing prerequisite is a failure instead.
   */
  public static RealKubelet requireOrSkip() {
    String whyNot = !"root".equals(System.getProperty("user.name")) ? "the real kubelet needs root"
        : !Files.isDirectory(Path.of("/sys/fs/cgroup")) ? "no cgroup filesystem" : "";
    if (!whyNot.isEmpty()) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true, so this is a failure, not a skip: " + whyNot);
      }
      Assumptions.abort(whyNot);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("scripts/k8s-local.sh");
      if (Files.isRegularFile(candidate)) {
        return new RealKubelet(candidate);
      }
    }
    throw new IllegalStateException("scripts/k8s-local.sh not found above " + Path.of("").toAbsolutePath());
  }

  /** Starts containerd and the kubelet for {@code node} (restarting one that runs for another node). */
  public void up(String node) throws IOException, InterruptedException {
    run(Map.of(), "up", node);
    Files.createDirectories(PLUGIN_DIR);
  }

  /**
   * As {@link #up}, on containerd 1.7 with CDI enabled ({@code K8S_LOCAL_CONTAINERD=cdi}: built once by {@code
   * scripts/containerd-cdi.sh}, cached), reading CDI specs from {@code cdiDir} only.
   */
  public void upWithCdi(String node, Path cdiDir) throws IOException, InterruptedException {
    run(Map.of("K8S_LOCAL_CONTAINERD", "cdi", "K8S_LOCAL_CDI_DIR", cdiDir.toAbsolutePath().toString()), "up", node);
    Files.createDirectories(PLUGIN_DIR);
  }

  /**
   * Imports image archives (OCI layout or {@code docker save} tarballs) into the running kubelet's containerd, for pods
   * with {@code imagePullPolicy: Never}; call after {@link #up} (which starts containerd afresh).
   */
  public void importImages(Path... archives) throws IOException, InterruptedException {
    String[] args = new String[archives.length + 1];
    args[0] = "import";
    for (int i = 0; i < archives.length; i++) {
      args[i + 1] = archives[i].toAbsolutePath().toString();
    }
    run(Map.of(), args);
  }

  /** Stops the kubelet and containerd. */
  public void down() throws IOException, InterruptedException {
    run(Map.of(), "down-kubelet");
  }

  /** The Allocate responses the kubelet recorded for the pod, per container name, of entries that carry envs. */
  public static Map<String, ContainerAllocateResponse> checkpoint(String podUid) throws IOException {
    Map<String, ContainerAllocateResponse> out = new HashMap<>();
    if (!Files.exists(CHECKPOINT)) {
      return out;
    }
    JsonNode root = new ObjectMapper().readTree(Files.readString(CHECKPOINT));
    for (JsonNode e : root.path("Data").path("PodDeviceEntries")) {
      if (podUid.equals(e.path("PodUID").asText()) && e.hasNonNull("AllocResp")) {
        ContainerAllocateResponse r = ContainerAllocateResponse.parseFrom(
            Base64.getDecoder().decode(e.path("AllocResp").asText()));
        if (!r.getEnvsMap().isEmpty()) {
          out.put(e.path("ContainerName").asText(), r);
        }
      }
    }
    return out;
  }

  /** The envs the kubelet recorded for one container of the pod (empty when none). */
  public static Map<String, String> checkpointEnvs(String podUid, String container) throws IOException {
    ContainerAllocateResponse r = checkpoint(podUid).get(container);
    return r == null ? Map.of() : r.getEnvsMap();
  }

  private void run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 2];
    cmd[0] = "bash";
    cmd[1] = script.toString();
    System.arraycopy(args, 0, cmd, 2, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // each kubelet's and containerd's log, per node, survives the next test's kubelet: target/kubelet-logs
    pb.environment().put("K8S_LOCAL_KEEP_LOGS", KEPT_LOGS.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // up with K8S_LOCAL_CONTAINERD=cdi may build containerd first (about 4-6 minutes on 2 cores, once)
    if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", args) + " failed: " + out);
    }
  }
}
