package io.github.volcanovgpu.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Admission decisions beyond the goldens: policy switches, device-config defaults, what is skipped, bad bodies. */
class PodAdmissionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static AdmissionRequest create(String podJson) throws Exception {
    return new AdmissionRequest("u1", "Pod", "CREATE", "team-a", JSON.readTree(podJson));
  }

  private static String pod(String containerJson, String extraSpec) {
    return "{\"metadata\":{\"name\":\"p\"},\"spec\":{" + extraSpec + "\"containers\":[" + containerJson + "]}}";
  }

  private static final String SHARE =
      "{\"name\":\"w\",\"resources\":{\"limits\":{\"volcano.sh/vgpu-number\":\"1\",\"volcano.sh/vgpu-memory\":\"3000\"}}}";

  @Test
  void runtimeClassIsSetWhenConfiguredAndAbsent() throws Exception {
    PodAdmission a = new PodAdmission(AdmissionFixtures.KINDS,
        new AdmissionPolicy(Optional.empty(), Optional.of("vgpu"), true), AdmissionFixtures.cluster());

    AdmissionDecision d = a.mutate(create(pod(SHARE, "")));

    assertThat(((AdmissionDecision.Allowed) d).patch()).extracting(PatchOp::path, p -> p.value().asText())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/spec/runtimeClassName", "vgpu"));
    assertThat(((AdmissionDecision.Allowed) a.mutate(create(pod(SHARE, "\"runtimeClassName\":\"kata\",")))).patch())
        .isEmpty();
  }

  @Test
  void anotherSchedulersPodKeepsItsScheduler() throws Exception {
    AdmissionDecision d = AdmissionFixtures.admission().mutate(create(pod(SHARE, "\"schedulerName\":\"mine\",")));

    assertThat(((AdmissionDecision.Allowed) d).patch()).isEmpty();
  }

  @Test
  void privilegedSharesAreAdmittedWhenThePolicyAllowsThem() throws Exception {
    String privileged = SHARE.replace("{\"name\":\"w\",", "{\"name\":\"w\",\"securityContext\":{\"privileged\":true},");
    PodAdmission allowing = new PodAdmission(AdmissionFixtures.KINDS,
        new AdmissionPolicy(Optional.empty(), Optional.empty(), false), AdmissionFixtures.cluster());

    assertThat(allowing.mutate(create(pod(privileged, "")))).isInstanceOf(AdmissionDecision.Allowed.class);
    assertThat(AdmissionFixtures.admission().mutate(create(pod(privileged, ""))))
        .isInstanceOf(AdmissionDecision.Denied.class);
  }

  @Test
  void theDeviceConfigsDefaultsAreWrittenIntoThePod() throws Exception {
    NvidiaDeviceConfig nvidia = new NvidiaDeviceConfig(null, null, null, null, null, null, 2000L, 25, 1, null, null,
        null, null, null, null);
    PodAdmission a = new PodAdmission(VendorCatalog.kinds(new DeviceConfig(nvidia)), AdmissionPolicy.defaults(),
        AdmissionFixtures.cluster());

    AdmissionDecision d = a.mutate(create(pod(
        "{\"name\":\"w\",\"resources\":{\"limits\":{\"volcano.sh/vgpu-number\":\"1\"}}}", "")));

    assertThat(((AdmissionDecision.Allowed) d).patch()).extracting(PatchOp::path, p -> p.value().asText())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("/spec/containers/0/resources/limits/volcano.sh~1vgpu-memory", "2000"),
            org.assertj.core.groups.Tuple.tuple("/spec/containers/0/resources/limits/volcano.sh~1vgpu-cores", "25"));
  }

  @Test
  void anExplicitZeroCountIsLeftAlone() throws Exception {
    AdmissionDecision d = AdmissionFixtures.admission().mutate(create(pod(
        "{\"name\":\"w\",\"resources\":{\"limits\":{\"volcano.sh/vgpu-number\":\"0\"}}}",
        "\"schedulerName\":\"volcano\",")));

    assertThat(((AdmissionDecision.Allowed) d).patch()).isEmpty();
  }

  @Test
  void aFractionalShareIsDeniedWithItsText() throws Exception {
    AdmissionDecision d = AdmissionFixtures.admission().validate(create(pod(
        "{\"name\":\"w\",\"resources\":{\"limits\":{\"volcano.sh/vgpu-cores\":\"1.5\"}}}", "")));

    assertThat(((AdmissionDecision.Denied) d).message()).contains("volcano.sh/vgpu-cores").contains("\"1.5\"")
        .contains("not a whole number");
  }

  @Test
  void updatesAndOtherKindsAreNotReviewed() throws Exception {
    ObjectNode bad = (ObjectNode) JSON.readTree(pod(SHARE.replace("vgpu-memory", "vgpu-memroy"), ""));
    PodAdmission a = AdmissionFixtures.admission();

    assertThat(a.validate(new AdmissionRequest("u", "Pod", "UPDATE", "team-a", bad)))
        .isEqualTo(AdmissionDecision.UNCHANGED);
    assertThat(a.validate(new AdmissionRequest("u", "Deployment", "CREATE", "team-a", bad)))
        .isEqualTo(AdmissionDecision.UNCHANGED);
  }

  @Test
  void aMalformedReviewIsRefusedWithWhatIsWrong() {
    assertThatThrownBy(() -> AdmissionReviewCodec.decode("{\"kind\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedReviewException.class).hasMessageStartingWith("the body is not JSON");
    assertThatThrownBy(() -> AdmissionReviewCodec.decode(
        "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedReviewException.class).hasMessageContaining("admissionReviewVersions: [v1]");
    assertThatThrownBy(() -> AdmissionReviewCodec.decode(
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}"
            .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedReviewException.class).hasMessage("the AdmissionReview request has no uid");
  }

  @Test
  void aDenialCarriesItsCodeAndMessageOnTheWire() throws Exception {
    byte[] out = AdmissionReviewCodec.encode("u9", AdmissionDecision.deny("no"));

    assertThat(JSON.readTree(out)).isEqualTo(JSON.readTree("{\"apiVersion\":\"admission.k8s.io/v1\","
        + "\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"u9\",\"allowed\":false,"
        + "\"status\":{\"code\":403,\"message\":\"no\"}}}"));
  }

  private static AdmissionRequest create(String namespace, String podJson) throws Exception {
    return new AdmissionRequest("u1", "Pod", "CREATE", namespace, JSON.readTree(podJson));
  }

  private static String npuPod(String mode, String container) {
    String annotations = mode.isEmpty() ? "" : "\"annotations\":{\"huawei.com/vnpu-mode\":\"" + mode + "\"},";
    return "{\"metadata\":{" + annotations + "\"name\":\"p\"},\"spec\":{\"schedulerName\":\"volcano\","
        + "\"containers\":[" + container + "]}}";
  }

  private static String npu(String name, String limits) {
    return "{\"name\":\"" + name + "\",\"resources\":{\"limits\":{" + limits + "}}}";
  }

  @Test
  void aTemplatePodAskingThroughTheAliasesGetsItsAliasMemoryRoundedUp() throws Exception {
    String alias = npu("w", "\"hami.io/vnpu-core\":\"1\",\"hami.io/vnpu-core-memory\":\"20000\"");
    String pod =
        npuPod("template", alias).replace("\"annotations\":{", "\"annotations\":{\"hami.io/vnpu-core\":\"910B3\",");

    AdmissionDecision d = AdmissionFixtures.admission().mutate(create(pod));

    assertThat(((AdmissionDecision.Allowed) d).patch()).extracting(PatchOp::path, p -> p.value().asText())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(
            "/spec/containers/0/resources/limits/hami.io~1vnpu-core-memory", "32768"));
  }

  @Test
  void hamiCoreAndNodeFollowingPodsKeepTheMemoryTheyAsk() throws Exception {
    String share = npu("w", "\"huawei.com/Ascend910B3\":\"1\",\"huawei.com/Ascend910B3-memory\":\"20000\"");

    for (String mode : new String[] {"hami-core", ""}) {
      AdmissionDecision d = AdmissionFixtures.admission().mutate(create(npuPod(mode, share)));
      assertThat(((AdmissionDecision.Allowed) d).patch()).as(mode).isEmpty();
    }
  }

  @Test
  void aQuotaCountsANodeFollowingAscendShareAtTheTemplateItMayHold() throws Exception {
    String two = npu("a", "\"huawei.com/Ascend910B3\":\"1\",\"huawei.com/Ascend910B3-memory\":\"20000\"") + ","
        + npu("b", "\"huawei.com/Ascend910B3\":\"1\",\"huawei.com/Ascend910B3-memory\":\"20000\"");

    AdmissionDecision following = AdmissionFixtures.admission().validate(create("team-c", npuPod("", two)));
    AdmissionDecision hamiCore = AdmissionFixtures.admission().validate(create("team-c", npuPod("hami-core", two)));

    assertThat(((AdmissionDecision.Denied) following).message())
        .contains("limits.huawei.com/Ascend910B3-memory asks 65536, used 0, allowed 40000");
    assertThat(hamiCore).isInstanceOf(AdmissionDecision.Allowed.class);
  }

  @Test
  void aQuotaScopedToAPriorityClassHoldsOnlyThePodsOfThatClass() throws Exception {
    String share = "{\"name\":\"w\",\"resources\":{\"limits\":{\"volcano.sh/vgpu-number\":\"1\","
        + "\"volcano.sh/vgpu-memory\":\"2000\"}}}";

    AdmissionDecision high = AdmissionFixtures.admission().validate(create("team-d",
        pod(share, "\"priorityClassName\":\"high\",")));
    AdmissionDecision other = AdmissionFixtures.admission().validate(create("team-d",
        pod(share, "\"priorityClassName\":\"low\",")));

    assertThat(((AdmissionDecision.Denied) high).message())
        .contains(
            "exceeding resource quota team-d/high: limits.volcano.sh/vgpu-memory asks 2000, used 0, allowed 1000");
    assertThat(other).isInstanceOf(AdmissionDecision.Allowed.class);
  }
}
