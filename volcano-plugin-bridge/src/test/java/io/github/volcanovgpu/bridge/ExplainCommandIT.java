package io.github.volcanovgpu.bridge;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.explain.ExplanationJson;
import io.github.volcanovgpu.bridge.explain.ExplanationText;
import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderHttpServer;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.Explanation;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code volcano-vgpu explain} as a user runs it: offline on simulate's cluster, and against a running sidecar. */
class ExplainCommandIT {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = BridgeMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static final String CLUSTER = "../examples/explain/cluster.yaml";
  private static final String JOBS = "../examples/explain/vcjobs";

  @Test
  void offlineItExplainsThePodTheSimulationLeftPendingAndWhichPodLeavingFreesACard() {
    Run r = run("explain", "--cluster", CLUSTER, "--jobs", JOBS);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("pod default/training-trainer-0: pending; fits no node now (0/1)\n")
        .contains("node t4-1: container trainer needs 1 GPU, not enough fit (2/2 INSUFFICIENT_MEMORY: not enough "
            + "free memory)")
        .contains("mem 16000/16384  cores 0%  shares 2/4  INSUFFICIENT_MEMORY  [default/serving-large-0, "
            + "default/serving-small-0]")
        .contains("would fit if this pod left: default/serving-large-0");
    assertThat(r.err()).contains("explain: simulated 2 vcjobs, 1 pods pending");
  }

  @Test
  void offlineJsonIsTheDocumentedShapeAndAVcjobIsExplainedPodByPod() {
    Run r = run("explain", "--cluster", CLUSTER, "--jobs", JOBS, "--vcjob", "default/serving", "-o", "json");
    assertThat(r.code()).as(r.err()).isZero();
    Explanation e = ExplanationJson.read(r.out().getBytes(StandardCharsets.UTF_8));
    assertThat(e.subject()).isEqualTo("vcjob default/serving");
    assertThat(e.pods()).extracting(Explanation.PodExplanation::boundTo).containsOnly("t4-1");
  }

  @Test
  void againstARunningSidecarItPrintsWhatTheSidecarsCoreSays() throws Exception {
    InMemoryCluster cluster = new InMemoryCluster();
    cluster.putNode(node("n1").split(4).gpus(1, 16384).build());
    PlacementEngine engine = Engines.over(cluster, SchedulingPolicy.BINPACK);
    PodView a = pod("a").gpu(1, 12000, 0).build();
    cluster.putPod(a);
    assertThat(engine.allocate(new TaskView(a.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", Map.of())).isOk())
        .isTrue();
    cluster.bind(a.uid(), "n1");
    cluster.putPod(pod("big").namespace("team").gpu(1, 8000, 0).build());
    try (ExtenderHttpServer server = new ExtenderHttpServer(ExtenderHttpServer.Options.defaults("127.0.0.1", 0),
        new ExtenderEndpoint(engine), () -> true, null, (route, status, nanos) -> {}).start()) {
      String url = "http://127.0.0.1:" + server.port();

      Run r = run("explain", "--sidecar", url, "team/big");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo(ExplanationText.render(engine.explainPod("team", "big").orElseThrow()))
          .contains("would fit if this pod left: default/a");

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> bad = get(http, url + "/explain?pod=big");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("pod must be NAMESPACE/NAME, got \\\"big\\\"");
      HttpResponse<String> both = get(http, url + "/explain?pod=a/b&vcjob=a/b");
      assertThat(both.statusCode()).isEqualTo(400);
      assertThat(both.body()).contains("exactly one of pod=NS/NAME or vcjob=NS/NAME");
      HttpResponse<String> unknown = get(http, url + "/explain?vcjob=team/ghost");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).contains("no vcjob team/ghost");
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url + "/explain"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);

      Run missing = run("explain", "--sidecar", url, "team/ghost");
      assertThat(missing.code()).isEqualTo(1);
      assertThat(missing.err()).contains("sidecar answered 404").contains("no pod team/ghost")
          .doesNotContain("Exception");
    }
  }

  @Test
  void badOptionsAreNamedWithoutAStackTrace() {
    Run format = run("explain", "--cluster", CLUSTER, "--jobs", JOBS, "-o", "yaml");
    assertThat(format.code()).isNotZero();
    assertThat(format.err()).contains("--output").contains("yaml").doesNotContain("Exception");
    Run noPod = run("explain", "--sidecar", "http://127.0.0.1:1");
    assertThat(noPod.code()).isNotZero();
    assertThat(noPod.err()).contains("give a POD or --vcjob").doesNotContain("Exception");
    Run unknown = run("explain", "--cluster", CLUSTER, "--jobs", JOBS, "default/nope");
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.err()).contains("no pod default/nope");
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
