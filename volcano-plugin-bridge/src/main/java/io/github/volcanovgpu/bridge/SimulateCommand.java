package io.github.volcanovgpu.bridge;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderHttpServer;
import io.github.volcanovgpu.bridge.extender.ExtenderRequestObserver;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.ClusterSpec;
import io.github.volcanovgpu.bridge.simulate.HttpExtenderClient;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.simulate.LimitCheck;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.bridge.simulate.SimulationReport;
import io.github.volcanovgpu.bridge.simulate.VcJob;
import io.github.volcanovgpu.bridge.simulate.VolcanoRequests;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code volcano-vgpu simulate}: the main job on an embedded default. Starts the real sidecar (extender HTTP) on
 * loopback over an in-memory cluster, plays Volcano's session loop for vcjob manifests against it over HTTP in
 * Volcano's JSON, and reports placements, per-GPU allocation and packing.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = "Schedule vcjobs on a simulated GPU cluster through the real sidecar over loopback.")
final class SimulateCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--cluster", defaultValue = "examples/cluster.yaml",
      description = "Cluster description (default: ${DEFAULT-VALUE}).")
  Path cluster = Path.of("examples/cluster.yaml");

  @Option(names = "--jobs", split = ",", defaultValue = "examples/vcjobs",
      description = "vcjob manifests: files or directories of *.yaml, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Path> jobs = List.of(Path.of("examples/vcjobs"));

  @Option(names = "--policy", defaultValue = "binpack",
      description = "binpack, spread or none (default: ${DEFAULT-VALUE}).")
  String policy = "binpack";

  @Option(names = "--no-cache",
      description = "The sidecar gets no cluster cache: every request carries full NodeInfos with their Tasks, "
          + "as Volcano sends them, and the ledger is rebuilt from them.")
  boolean noCache;

  @Option(names = "--all-gpus", description = "List every GPU in the table, not only those with tasks.")
  boolean allGpus;

  @Option(names = "--workers", defaultValue = "16",
      description = "Parallel predicate workers, as Volcano's (default: ${DEFAULT-VALUE}).")
  int workers = 16;

  @Option(names = "--check-limits", defaultValue = "auto",
      description = "Run libvgpu's vgpu-probe for each placed GPU container with its share (LIMIT column): auto "
          + "(when libvgpu-native/target/native is built), on (fail without it) or off (default: ${DEFAULT-VALUE}).")
  String checkLimits = "auto";

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Simulated sim = run(cluster, manifests(jobs), policy, noCache, workers, err);
    Map<String, String> limits = checkLimits(sim.outcomes(), sim.state(), sim.engine(), err);
    SimulationReport.print(out, sim.outcomes(), sim.state(), sim.engine(), allGpus, limits);
    out.printf("  extender requests     %d over HTTP in %.2f s%n", sim.requests(), sim.seconds());
    out.flush();
    return 0;
  }

  /** What a simulation leaves: the cluster with its bound and pending pods, the sidecar's engine, the outcomes. */
  record Simulated(InMemoryCluster state, PlacementEngine engine, List<SessionDriver.JobOutcome> outcomes,
      long requests, double seconds) {}

  /**
   * Runs the vcjobs through the real sidecar over loopback on the described cluster (the sidecar is stopped
   * afterwards; its engine and the cluster stay readable).
   *
   * @param progress where one line per vcjob goes
   */
  static Simulated run(Path cluster, List<Path> manifests, String policy, boolean noCache, int workers,
      PrintWriter err) throws IOException, InterruptedException {
    ClusterSpec clusterSpec = ClusterSpec.read(cluster);
    List<VcJob> vcjobs = new ArrayList<>();
    for (Path p : manifests) {
      vcjobs.addAll(VcJob.read(p));
    }
    if (vcjobs.isEmpty()) {
      throw new ConfigException(manifests.toString(), List.of("no vcjob manifests found"));
    }
    SchedulingPolicy schedulingPolicy = SchedulingPolicy.parse(policy);

    InMemoryCluster state = new InMemoryCluster();
    for (NodeView n : clusterSpec.toNodes()) {
      state.putNode(n);
    }
    ClusterState cache = noCache ? ClusterState.NONE : state;
    PlacementEngine engine = new PlacementEngine(VendorCatalog.kinds(DeviceConfig.defaults()), cache, state,
        NodeLock.DISABLED,
        EngineConfig.defaults().withPolicy(schedulingPolicy), Clock.systemUTC());
    AtomicLong requests = new AtomicLong();
    ExtenderRequestObserver counter = (route, status, nanos) -> requests.incrementAndGet();
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers));
    try (ExtenderHttpServer server = new ExtenderHttpServer(
        ExtenderHttpServer.Options.defaults("127.0.0.1", 0), new ExtenderEndpoint(engine), () -> true, null,
        counter).start()) {
      String url = "http://127.0.0.1:" + server.port();
      err.printf("simulate: sidecar on %s (%s), %d nodes, %d vcjobs, policy %s%n", url,
          noCache ? "no cache: full NodeInfos" : "synced cache: node names", state.nodeNames().size(),
          vcjobs.size(), schedulingPolicy.name().toLowerCase(java.util.Locale.ROOT));
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpExtenderClient client = new HttpExtenderClient(http, url, new VolcanoRequests(java.time.Instant.now()),
          Duration.ofSeconds(30));
      SessionDriver driver = new SessionDriver(client, state, pool, noCache)
          .withPriorityClasses(clusterSpec.priorityClasses());
      List<SessionDriver.JobOutcome> outcomes = new ArrayList<>();
      int i = 0;
      for (VcJob job : vcjobs) {
        SessionDriver.JobOutcome o = driver.schedule(job);
        outcomes.add(o);
        long placed = o.placements().stream().filter(SessionDriver.Placement::placed).count();
        err.printf("simulate: [%d/%d] %s: %d/%d tasks %s%n", ++i, vcjobs.size(), job.name(), placed,
            o.placements().size(), o.scheduled() ? "placed" : "unschedulable");
      }
      return new Simulated(state, engine, outcomes, requests.get(), (System.nanoTime() - started) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private Map<String, String> checkLimits(List<SessionDriver.JobOutcome> outcomes, InMemoryCluster state,
      PlacementEngine engine, PrintWriter err) throws IOException, InterruptedException {
    String mode = checkLimits.toLowerCase(java.util.Locale.ROOT);
    if (!List.of("auto", "on", "off").contains(mode)) {
      throw new ConfigException("--check-limits", List.of("must be auto, on or off, got " + checkLimits));
    }
    if (mode.equals("off")) {
      return Map.of();
    }
    java.util.Optional<LimitCheck> check = LimitCheck.locate(Path.of(""), 1);
    if (check.isEmpty()) {
      if (mode.equals("on")) {
        throw new ConfigException("--check-limits", List.of("libvgpu-native/target/native is not built here "
            + "(mvn -pl libvgpu-native verify)"));
      }
      err.println("simulate: enforced-limit check skipped: libvgpu-native/target/native is not built");
      return Map.of();
    }
    Map<String, Long> cardMib = new HashMap<>();
    java.util.Set<String> softShared = new java.util.HashSet<>();
    engine.usageByKind().forEach((kind, nodes) -> nodes.forEach((node, usage) -> {
      usage.devices().forEach(d -> cardMib.put(d.device().uuid(), d.device().memoryUnits()));
      if (usage.mode() == io.github.volcanovgpu.contract.device.SharingMode.SOFT_LIMIT) {
        softShared.add(kind + "/" + node);
      }
    }));
    List<SessionDriver.Placement> placed = outcomes.stream().flatMap(o -> o.placements().stream())
        .filter(SessionDriver.Placement::placed).toList();
    Map<String, String> results = new LinkedHashMap<>();
    long started = System.nanoTime();
    for (SessionDriver.Placement p : placed) {
      PodView pod = state.pod(p.pod().uid()).orElseThrow();
      results.put(pod.uid(), check.get().check(pod, uuid -> cardMib.getOrDefault(uuid, 0L),
          (chip, node) -> softShared.contains(chip + "/" + node)));
      if (results.size() % 50 == 0) {
        err.printf("simulate: enforced-limit check %d/%d pods%n", results.size(), placed.size());
      }
    }
    err.printf("simulate: enforced-limit check of %d pods with %s in %.2f s%n", placed.size(),
        check.get().nativeDir(), (System.nanoTime() - started) / 1e9);
    return results;
  }

  /** The vcjob manifests: files, and the *.yaml / *.yml of directories, sorted. */
  static List<Path> manifests(List<Path> jobs) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : jobs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
              .forEach(files::add);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new ConfigException(p.toString(), List.of("no such file or directory"));
      }
    }
    return files;
  }
}
