package io.github.volcanovgpu.bridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.admission.AdmissionCluster;
import io.github.volcanovgpu.bridge.admission.AdmissionDecision;
import io.github.volcanovgpu.bridge.admission.AdmissionPolicy;
import io.github.volcanovgpu.bridge.admission.AdmissionRequest;
import io.github.volcanovgpu.bridge.admission.AdmissionReviewCodec;
import io.github.volcanovgpu.bridge.admission.PodAdmission;
import io.github.volcanovgpu.bridge.extender.VolcanoFixtures;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.quota.Quota;
import io.github.volcanovgpu.bridge.quota.QuotaSource;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The webhook's CPU per review, against a bare Jackson tree parse of the same AdmissionReview (the cost any webhook
 * pays): mutate (decode, normalise, patch, encode) and validate with the namespace's quota over a cluster of 500
 * realistic 8-GPU nodes (the namespace's use summed from the ledgers on every review).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdmissionBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  @State(Scope.Benchmark)
  public static class Reviews {
    byte[] mutateBody;
    byte[] validateBody;
    PodAdmission noQuota;
    PodAdmission quota500;

    @Setup
    public void setup() {
      mutateBody = golden("memory-only-gets-count-and-scheduler").replace("team-a", "team-b").getBytes();
      validateBody = golden("in-quota-allowed").replace("team-a", "team-b").getBytes();
      List<NodeView> nodes = VolcanoFixtures.realisticNodes(500);
      InMemoryCluster cluster = VolcanoFixtures.clusterOf(nodes);
      DeviceKinds kinds = DeviceKinds.of(NvidiaVendor.volcanoDefaults());
      PlacementEngine engine = new PlacementEngine(kinds, cluster, cluster, NodeLock.DISABLED,
          EngineConfig.defaults(), Engines.FIXED, QuotaSource.of(List.of(Quota.fromHard("team-b", "gpu",
              Map.of("limits.volcano.sh/vgpu-memory", "1000000000")))));
      AdmissionPolicy policy = new AdmissionPolicy(Optional.of("volcano"), Optional.empty(), true);
      noQuota = new PodAdmission(kinds, policy, AdmissionCluster.of(new PlacementEngine(kinds, cluster, cluster,
          NodeLock.DISABLED, EngineConfig.defaults(), Engines.FIXED)));
      quota500 = new PodAdmission(kinds, policy, AdmissionCluster.of(engine));
      check(quota500.validate(AdmissionReviewCodec.decode(validateBody)), false);
      check(noQuota.mutate(AdmissionReviewCodec.decode(mutateBody)), true);
    }

    private static void check(AdmissionDecision d, boolean patched) {
      if (!(d instanceof AdmissionDecision.Allowed a) || a.patch().isEmpty() != !patched) {
        throw new IllegalStateException("benchmark review not answered as expected: " + d);
      }
    }

    private static String golden(String name) {
      try {
        return Files.readString(Path.of("volcano-plugin-bridge/src/test/resources/golden/admission/" + name
            + ".review.json").toFile().exists()
                ? Path.of("volcano-plugin-bridge/src/test/resources/golden/admission/" + name + ".review.json")
                : Path.of("src/test/resources/golden/admission/" + name + ".review.json"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Benchmark
  public JsonNode reviewTreeParse(Reviews s) throws IOException {
    return JSON.readTree(s.validateBody);
  }

  @Benchmark
  public byte[] mutate(Reviews s) {
    AdmissionRequest r = AdmissionReviewCodec.decode(s.mutateBody);
    return AdmissionReviewCodec.encode(r.uid(), s.noQuota.mutate(r));
  }

  @Benchmark
  public byte[] validateQuota500Nodes(Reviews s) {
    AdmissionRequest r = AdmissionReviewCodec.decode(s.validateBody);
    return AdmissionReviewCodec.encode(r.uid(), s.quota500.validate(r));
  }
}
