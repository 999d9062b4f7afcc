package io.github.volcanovgpu.e2e.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.contract.env.CudaEnv;
import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.plugin.allocate.ContainerAssignment;
import io.github.volcanovgpu.plugin.kubelet.UnixTransport;
import io.github.volcanovgpu.plugin.monitor.FakePodResourcesKubelet;
import io.github.volcanovgpu.plugin.monitor.FindingEvents;
import io.github.volcanovgpu.plugin.monitor.KubeletPodResources;
import io.github.volcanovgpu.plugin.monitor.MonitorMetrics;
import io.github.volcanovgpu.plugin.monitor.NodeMonitor;
import io.github.volcanovgpu.plugin.monitor.ProcessTable;
import io.github.volcanovgpu.plugin.monitor.RecordingEventSink;
import io.github.volcanovgpu.plugin.monitor.RegionDirectory;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.CardUsage;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.process.HostPort;
import io.github.volcanovgpu.process.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor against real libvgpu processes on the stub driver: {@code vgpu-probe} preloaded with libvgpu, its
 * region and limits file where Allocate puts them, the kubelet's pod-resources service on a real unix socket, the
 * metrics scraped over HTTP from the process's registry. The probe's memory shows up per container within one
 * allocation; killed with SIGKILL (libvgpu's slot stays in the region), it no longer counts.
 */
class MonitorProbeIT {
  private static final String GPU = "GPU-7e1c0a55-1111-4222-8333-000000000000";
  private static final String UID = "0b7f6a2e-1111-4222-8333-444455556666";
  private static final String DIR = UID + "_main";
  private static final long MIB = 1L << 20;
  private static final long ALLOC_MIB = 300;
  private static final long CHUNK_MIB = 100;

  @TempDir
  Path tmp;

  private final List<Process> probes = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private Path nativeDir;
  private FakeGpuBackend gpus;
  private NodeMonitor monitor;
  private MetricsServer metrics;

  @BeforeEach
  void start() throws Exception {
    nativeDir = locateNative();
    Path hook = tmp.resolve("hook");
    Path cacheDir = Files.createDirectories(hook.resolve("vgpu/containers").resolve(DIR));
    Path limitsDir = Files.createDirectories(hook.resolve("vgpu/limits").resolve(DIR));
    Files.writeString(limitsDir.resolve("limits"), new LimitsFile(LimitsFile.Kind.CUDA,
        List.of(new LimitsFile.Device(GPU, 1024, 0, "")), 1, LimitsFile.CorePolicy.DEFAULT, false,
        cacheDir.resolve(DIR + ".cache").toString()).format()); // the container's /tmp/vgpu, on the host
    Files.writeString(limitsDir.resolve(ContainerAssignment.POD_FILE), "team-a/trainer\n");
    UnixTransport transport = new UnixTransport();
    FakePodResourcesKubelet kubelet = new FakePodResourcesKubelet(transport, tmp.resolve("kubelet.sock"));
    kubelet.add("team-a", "trainer", "main", "volcano.sh/vgpu-number", GPU + "-3");
    KubeletPodResources client = new KubeletPodResources(transport, tmp.resolve("kubelet.sock"),
        Duration.ofSeconds(10));
    closing.add(client);
    closing.add(kubelet);
    closing.add(transport);
    gpus = FakeGpuBackend.fromYaml("gpus: [{uuid: " + GPU + ", memoryMib: 81920}]", "test");
    monitor = new NodeMonitor(new RegionDirectory(hook.resolve("vgpu/containers"), hook.resolve("vgpu/limits"),
        ProcessTable.proc(Path.of("/proc"))), client, gpus, Clock.systemUTC());
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.getPrometheusRegistry().register(new MonitorMetrics(monitor::read, false));
    metrics = new MetricsServer(HostPort.parse("127.0.0.1:0", "test"), meters::scrape).start();
    closing.add(metrics);
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : probes) {
      p.destroyForcibly().waitFor();
    }
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void reportsTheMemoryARealProbeHoldsAndDropsItWhenTheProbeIsKilled() throws Exception {
    Process probe = probe(ALLOC_MIB, CHUNK_MIB);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(usedBytes()).hasValueSatisfying(
        used -> assertThat(used).isBetween((ALLOC_MIB - CHUNK_MIB + 1) * MIB, (ALLOC_MIB + CHUNK_MIB) * MIB)));
    assertThat(scrape()).contains("hami_vgpu_memory_limit_bytes{container=\"main\",device_uuid=\"" + GPU
        + "\",namespace=\"team-a\",pod=\"trainer\",vdevice_index=\"0\",zone=\"vGPU\"} 1.073741824E9");
    assertThat(monitor.read().usage().containers()).singleElement().satisfies(c -> {
      assertThat(c.memoryUsedBytes()).isGreaterThanOrEqualTo(ALLOC_MIB * MIB).isLessThan((ALLOC_MIB + CHUNK_MIB)
          * MIB);
      assertThat(c.podUid()).isEqualTo(UID);
    });

    probe.destroyForcibly().waitFor();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(usedBytes()).hasValue(0L));
    assertThat(Files.size(tmp.resolve("hook/vgpu/containers").resolve(DIR).resolve(DIR + ".cache")))
        .as("the region is still there, with the dead slot libvgpu has not reclaimed").isPositive();
  }

  @Test
  void aProcessOverItsShareAndAProcessWithoutOneBecomeFindingsAndEvents() throws Exception {
    Process probe = probe(ALLOC_MIB, CHUNK_MIB);
    await().atMost(Duration.ofSeconds(60)).until(() -> usedBytes().orElse(0L) >= ALLOC_MIB * MIB);
    int pid = (int) probe.pid();
    // the driver sees the probe use more than its share (memory libvgpu did not see) and a stranger on the card
    gpus.setUsage(new CardUsage(GPU, 4000 * MIB, 50, List.of(new CardUsage.ProcessUsage(pid, 1500 * MIB, 30),
        new CardUsage.ProcessUsage(999_999, 64 * MIB, 20))));
    RecordingEventSink sink = new RecordingEventSink();

    new FindingEvents(sink).report(monitor.read().usage().findings());

    assertThat(sink.events).containsExactlyInAnyOrder(
        "pod team-a/trainer " + UID + " VgpuShareExceeded: container main uses 1500.0 MiB of device memory on " + GPU
            + " (its device 0), over its share of 1024.0 MiB",
        "node VgpuUnexplainedUsage: process 999999 uses 64.0 MiB on " + GPU + " and no container's vGPU share "
            + "covers it (not a libvgpu process of a container assigned this card)");
    String text = scrape();
    assertThat(text).contains("hami_container_device_utilization_ratio{container=\"main\",device_uuid=\"" + GPU
        + "\",namespace=\"team-a\",pod=\"trainer\",vdevice_index=\"0\",zone=\"vGPU\"} 30.0");
    assertThat(text).contains("volcano_vgpu_monitor_unexplained_memory_bytes{device_uuid=\"" + GPU
        + "\",host_pid=\"999999\"} 6.7108864E7");
    assertThat(text).contains("hami_host_gpu_memory_used_bytes{device_index=\"0\"");
  }

  /** The container's used bytes on its card, from a real scrape; empty while the row is absent. */
  private Optional<Long> usedBytes() throws IOException, InterruptedException {
    Matcher m = Pattern.compile("(?m)^hami_vgpu_memory_used_bytes\\{[^}]*pod=\"trainer\"[^}]*\\} (\\S+)$")
        .matcher(scrape());
    return m.find() ? Optional.of((long) Double.parseDouble(m.group(1))) : Optional.empty();
  }

  private String scrape() throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** vgpu-probe holding {@code mib} MiB on device 0 (in chunks) for two minutes, as a process of the container. */
  private Process probe(long mib, long chunk) throws IOException {
    Path cache = tmp.resolve("hook/vgpu/containers").resolve(DIR).resolve(DIR + ".cache");
    ProcessBuilder pb = new ProcessBuilder(nativeDir.resolve("bin/vgpu-probe").toString(), "--device", "0",
        "--alloc-mib", Long.toString(mib), "--chunk-mib", Long.toString(chunk), "--hold-ms", "120000")
        .redirectOutput(tmp.resolve("probe.out").toFile()).redirectError(tmp.resolve("probe.err").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CUDA_") || k.startsWith("LD_") || k.startsWith("STUB_")
        || k.startsWith("VGPU_"));
    // the stub driver preloaded behind libvgpu: the probe dlopens libcuda privately, and the stub NVML finds the
    // stub driver's process list (what libvgpu's host PID discovery reads) only among global symbols
    env.put("LD_PRELOAD", nativeDir.resolve("lib/libvgpu.so") + ":" + nativeDir.resolve("stub/libcuda.so.1"));
    env.put("LD_LIBRARY_PATH", nativeDir.resolve("stub").toString());
    env.put(CudaEnv.SHARED_CACHE, cache.toString());
    env.put(LimitsFile.OVERRIDE_ENV, tmp.resolve("hook/vgpu/limits").resolve(DIR).resolve("limits").toString());
    env.put("STUB_CUDA_TOTAL_MEM", "80g");
    env.put("STUB_CUDA_PROCS", tmp.resolve("stub.procs").toString());
    env.put(CudaEnv.LOG_LEVEL, "1");
    Process p = pb.start();
    probes.add(p);
    return p;
  }

  /** libvgpu-native/target/native, built by the reactor before this module; missing is a failure under CI=true. */
  static Path locateNative() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path n = dir.resolve("libvgpu-native/target/native");
      if (Files.isExecutable(n.resolve("bin/vgpu-probe")) && Files.isRegularFile(n.resolve("lib/libvgpu.so"))) {
        return n;
      }
    }
    String why = "libvgpu-native/target/native/bin/vgpu-probe is not built (mvn -pl libvgpu-native verify)";
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true, so this is a failure, not a skip: " + why);
    }
    Assumptions.abort(why);
    throw new AssertionError(why);
  }
}
