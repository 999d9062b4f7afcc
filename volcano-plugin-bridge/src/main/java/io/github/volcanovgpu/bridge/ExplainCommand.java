package io.github.volcanovgpu.bridge;

import io.github.volcanovgpu.bridge.explain.ExplanationJson;
import io.github.volcanovgpu.bridge.explain.ExplanationText;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.Explanation;
import io.github.volcanovgpu.contract.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code volcano-vgpu explain}: why a pod (or a vcjob's pods) does not fit now, per node and per device, from the
 * scheduling core's own refusals. Against a running sidecar ({@code --sidecar URL}: {@code GET /explain}) or
 * offline against {@code simulate}'s embedded cluster (the vcjobs are scheduled first, then the pods left
 * pending are explained).
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = "Why a pod or vcjob is pending: per node and per GPU/NPU, from the scheduler's own fit, and which "
        + "pods leaving would make it fit.")
final class ExplainCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "POD",
      description = "The pod, NAMESPACE/NAME (NAME alone: namespace default). Offline without POD or --vcjob: "
          + "every pod the simulation left pending.")
  String pod = "";

  @Option(names = "--vcjob", paramLabel = "NAMESPACE/NAME", description = "Explain every pod of this vcjob.")
  String vcjob = "";

  @Option(names = "--sidecar", paramLabel = "URL",
      description = "A running sidecar's extender URL (e.g. http://127.0.0.1:8713); without it, explain runs "
          + "simulate's embedded cluster (--cluster, --jobs, --policy).")
  String sidecar = "";

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
  String output = "text";

  @Option(names = "--cluster", defaultValue = "examples/cluster.yaml",
      description = "Offline: the cluster description (default: ${DEFAULT-VALUE}).")
  Path cluster = Path.of("examples/cluster.yaml");

  @Option(names = "--jobs", split = ",", defaultValue = "examples/vcjobs",
      description = "Offline: vcjob manifests, files or directories (default: ${DEFAULT-VALUE}).")
  List<Path> jobs = List.of(Path.of("examples/vcjobs"));

  @Option(names = "--policy", defaultValue = "binpack",
      description = "Offline: binpack, spread or none (default: ${DEFAULT-VALUE}).")
  String policy = "binpack";

  @Option(names = "--timeout", defaultValue = "PT30S",
      description = "Online: how long to wait for the sidecar (ISO-8601, default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(30);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("text") && !output.equals("json")) {
      throw new ConfigException("--output", List.of("must be text or json, got " + output));
    }
    if (!pod.isEmpty() && !vcjob.isEmpty()) {
      throw new ConfigException("explain", List.of("give a POD or --vcjob, not both"));
    }
    Explanation explanation = sidecar.isEmpty() ? offline(err) : online();
    if (output.equals("json")) {
      out.print(ExplanationJson.writeString(explanation));
      out.println();
    } else {
      out.print(ExplanationText.render(explanation));
    }
    out.flush();
    return 0;
  }

  private Explanation online() throws IOException, InterruptedException {
    if (pod.isEmpty() && vcjob.isEmpty()) {
      throw new ConfigException("explain", List.of("with --sidecar give a POD or --vcjob"));
    }
    String query = pod.isEmpty() ? "vcjob=" + enc(qualified(vcjob, "--vcjob")) : "pod=" + enc(qualified(pod, "POD"));
    URI uri;
    try {
      uri = URI.create(sidecar.replaceAll("/+$", "") + "/explain?" + query);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--sidecar", List.of("not a URL: " + sidecar));
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpResponse<byte[]> r;
    try {
      r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IOException("sidecar " + sidecar + " did not answer: " + e.getMessage(), e);
    }
    if (r.statusCode() != 200) {
      throw new IOException("sidecar answered " + r.statusCode() + ": " + new String(r.body(),
          StandardCharsets.UTF_8).trim());
    }
    return ExplanationJson.read(r.body());
  }

  private Explanation offline(PrintWriter err) throws IOException, InterruptedException {
    StringWriter progress = new StringWriter();
    SimulateCommand.Simulated sim = SimulateCommand.run(cluster, SimulateCommand.manifests(jobs), policy, false, 4,
        new PrintWriter(progress));
    if (!vcjob.isEmpty()) {
      String[] ref = qualified(vcjob, "--vcjob").split("/");
      return sim.engine().explainJob(ref[0], ref[1]).orElseThrow(() -> new ConfigException("--vcjob",
          List.of("the simulation has no vcjob " + vcjob + " (its vcjobs come from " + jobs + ")")));
    }
    if (!pod.isEmpty()) {
      String[] ref = qualified(pod, "POD").split("/");
      return sim.engine().explainPod(ref[0], ref[1]).orElseThrow(() -> new ConfigException("POD",
          List.of("the simulation has no pod " + pod)));
    }
    List<Explanation.PodExplanation> pending = new ArrayList<>();
    for (PodView p : sim.state().pods()) {
      if (p.nodeName().isEmpty()) {
        pending.add(sim.engine().explain(p));
      }
    }
    err.printf("explain: simulated %d vcjobs, %d pods pending%n", sim.outcomes().size(), pending.size());
    return new Explanation("pending pods of the simulation", pending);
  }

  private static String qualified(String ref, String what) {
    String r = ref.contains("/") ? ref : "default/" + ref;
    String[] parts = r.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new ConfigException(what, List.of("must be NAMESPACE/NAME or NAME, got " + ref));
    }
    return r;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
