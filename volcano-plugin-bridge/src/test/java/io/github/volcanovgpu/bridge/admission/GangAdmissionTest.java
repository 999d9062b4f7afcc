package io.github.volcanovgpu.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.admission.AdmissionPolicy.GangQuota;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * vcjobs at creation against team-a's quota of {@link AdmissionFixtures} (16000 MiB of GPU memory, 8000 held): the
 * gang Volcano must start together, as its minAvailable fields define it, refused whole when it cannot fit.
 */
class GangAdmissionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static PodAdmission admission(GangQuota mode) {
    return new PodAdmission(AdmissionFixtures.KINDS,
        new AdmissionPolicy(Optional.of("volcano"), Optional.empty(), true, mode), AdmissionFixtures.cluster());
  }

  private static AdmissionRequest job(String spec) throws Exception {
    return new AdmissionRequest("u1", "batch.volcano.sh", "Job", "CREATE", "team-a",
        JSON.readTree("{\"metadata\":{\"name\":\"train\"},\"spec\":" + spec + "}"));
  }

  /** A task of {@code replicas} pods, each one GPU with {@code mib} MiB; {@code min} null: not written. */
  private static String gpuTask(String name, int replicas, Integer min, int mib) {
    return "{\"name\":\"" + name + "\",\"replicas\":" + replicas + (min == null ? "" : ",\"minAvailable\":" + min)
        + ",\"template\":{\"spec\":{\"containers\":[{\"name\":\"w\",\"resources\":{\"limits\":{"
        + "\"volcano.sh/vgpu-number\":\"1\",\"volcano.sh/vgpu-memory\":\"" + mib + "\"}}}]}}}";
  }

  private static String denial(AdmissionDecision d) {
    assertThat(d).isInstanceOf(AdmissionDecision.Denied.class);
    return ((AdmissionDecision.Denied) d).message();
  }

  @Test
  void aGangThatCannotFitBesideTheNamespacesUseIsRefusedWhole() throws Exception {
    AdmissionDecision d = admission(GangQuota.USAGE).validate(job("{\"tasks\":[" + gpuTask("w", 3, null, 3000)
        + "]}"));

    assertThat(denial(d)).isEqualTo("vcjob team-a/train: its gang (minAvailable 3: the pods Volcano must start "
        + "together) does not fit the namespace's quota now: exceeding resource quota team-a/gpu: "
        + "limits.volcano.sh/vgpu-memory asks 9000, used 8000, allowed 16000");
  }

  @Test
  void inLimitModeOnlyAGangLargerThanTheQuotaItselfIsRefused() throws Exception {
    PodAdmission limit = admission(GangQuota.LIMIT);

    assertThat(limit.validate(job("{\"tasks\":[" + gpuTask("w", 3, null, 3000) + "]}")))
        .isEqualTo(AdmissionDecision.UNCHANGED);
    assertThat(denial(limit.validate(job("{\"tasks\":[" + gpuTask("w", 3, null, 6000) + "]}"))))
        .isEqualTo("vcjob team-a/train: its gang (minAvailable 3: the pods Volcano must start together) alone asks "
            + "18000 of limits.volcano.sh/vgpu-memory, more than resource quota team-a/gpu allows (16000): it could "
            + "never start");
  }

  @Test
  void offModeLeavesTheQuotaToThePodsButStillRefusesABadTemplate() throws Exception {
    PodAdmission off = admission(GangQuota.OFF);

    assertThat(off.validate(job("{\"tasks\":[" + gpuTask("w", 3, null, 6000) + "]}")))
        .isEqualTo(AdmissionDecision.UNCHANGED);
    assertThat(denial(off.validate(job("{\"tasks\":[" + gpuTask("w", 1, null, 6000)
        .replace("vgpu-memory", "vgpu-memroy") + "]}")))).startsWith("vcjob team-a/train task w: pod team-a/train-w-0"
            + " container w: resources.limits volcano.sh/vgpu-memroy is not a device resource");
  }

  @Test
  void theGangIsTheTasksMinimumsPlusTheCheapestPodsUpToTheJobsMinimum() throws Exception {
    // the tasks' minimums (one big, one small) and the cheapest other pod (small): 4000 + 1000 + 1000 = 6000 fits
    String spec = "{\"minAvailable\":3,\"tasks\":[" + gpuTask("big", 2, 1, 4000) + "," + gpuTask("small", 3, 1, 1000)
        + "]}";
    assertThat(admission(GangQuota.USAGE).validate(job(spec))).isEqualTo(AdmissionDecision.UNCHANGED);

    // the same job needing both big pods: 4000 + 4000 + 1000 = 9000 > 8000 left
    String both = spec.replace("\"replicas\":2,\"minAvailable\":1", "\"replicas\":2,\"minAvailable\":2");
    assertThat(denial(admission(GangQuota.USAGE).validate(job(both)))).contains("asks 9000, used 8000");
  }

  @Test
  void tasksMinimumsAreIgnoredWhenTheJobAsksFewerPodsThanTheySumTo() throws Exception {
    // Volcano's CheckTaskValid skips task minimums then: the gang is the 2 cheapest pods, 1000 + 1000
    String spec = "{\"minAvailable\":2,\"tasks\":[" + gpuTask("big", 3, null, 7000) + "," + gpuTask("small", 2, null,
        1000) + "]}";

    assertThat(admission(GangQuota.USAGE).validate(job(spec))).isEqualTo(AdmissionDecision.UNCHANGED);
    assertThat(denial(admission(GangQuota.USAGE).validate(job(spec.replace("\"minAvailable\":2,",
        "\"minAvailable\":5,"))))).contains("asks 23000, used 8000");
  }

  @Test
  void aJobOptedOutOrAskingNoDeviceIsLeftAlone() throws Exception {
    AdmissionRequest optedOut = new AdmissionRequest("u1", "batch.volcano.sh", "Job", "CREATE", "team-a",
        JSON.readTree("{\"metadata\":{\"name\":\"train\",\"labels\":{\"hami.io/webhook\":\"ignore\"}},\"spec\":{"
            + "\"tasks\":[" + gpuTask("w", 3, null, 6000) + "]}}"));
    String cpuOnly = "{\"tasks\":[{\"name\":\"c\",\"replicas\":9,\"template\":{\"spec\":{\"containers\":[{"
        + "\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":\"1\"}}}]}}}]}";

    assertThat(admission(GangQuota.USAGE).validate(optedOut)).isEqualTo(AdmissionDecision.UNCHANGED);
    assertThat(admission(GangQuota.USAGE).validate(job(cpuOnly))).isEqualTo(AdmissionDecision.UNCHANGED);
    assertThat(admission(GangQuota.USAGE).mutate(job("{\"tasks\":[" + gpuTask("w", 3, null, 6000) + "]}")))
        .isEqualTo(AdmissionDecision.UNCHANGED);
  }

  @Test
  void aTaskWithoutATemplateIsRefusedWithWhatIsWrong() throws Exception {
    assertThat(denial(admission(GangQuota.USAGE).validate(job("{\"tasks\":[{\"name\":\"w\",\"replicas\":1,"
        + "\"template\":7}]}")))).isEqualTo("vcjob team-a/train task w: template is not a pod template");
  }
}
