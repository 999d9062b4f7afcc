package io.github.volcanovgpu.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each feature trigger of {@code MinimumRequiredVersion} (reference §2.1). */
class SpecVersionTest {
  private static final DeviceNode NODE = DeviceNode.of("/dev/x");

  private static SpecVersion minimum(String kind, CdiDevice device, ContainerEdits specEdits) {
    return SpecVersion.minimumRequired(new CdiSpec("1.1.0", kind, Map.of(), List.of(device), specEdits));
  }

  private static CdiDevice device(String name, ContainerEdits edits) {
    return new CdiDevice(name, edits);
  }

  private static ContainerEdits nodes(DeviceNode n) {
    return ContainerEdits.of(List.of(), List.of(n), List.of());
  }

  @Test
  void aPlainSpecNeedsTheEarliestVersion() {
    assertThat(minimum("a.com/b", device("x", nodes(NODE)), ContainerEdits.EMPTY)).isEqualTo(SpecVersion.V0_3_0);
  }

  @Test
  void mountTypeNeeds040() {
    ContainerEdits typed = ContainerEdits.of(List.of(), List.of(), List.of(new CdiMount("/a", "/b", null, "none")));
    assertThat(minimum("a.com/b", device("x", nodes(NODE)), typed)).isEqualTo(SpecVersion.V0_4_0);
  }

  @Test
  void digitFirstNamesAndHostPathsNeed050() {
    assertThat(minimum("a.com/b", device("0", nodes(NODE)), ContainerEdits.EMPTY)).isEqualTo(SpecVersion.V0_5_0);
    assertThat(minimum("a.com/b", device("x", nodes(DeviceNode.of("/dev/x", "/h/dev/x"))), ContainerEdits.EMPTY))
        .isEqualTo(SpecVersion.V0_5_0);
  }

  @Test
  void annotationsAndDotsInTheClassNeed060() {
    assertThat(minimum("a.com/b.c", device("x", nodes(NODE)), ContainerEdits.EMPTY)).isEqualTo(SpecVersion.V0_6_0);
    assertThat(SpecVersion.minimumRequired(new CdiSpec("0.3.0", "a.com/b", Map.of(),
        List.of(new CdiDevice("x", Map.of("k", "v"), nodes(NODE))), null))).isEqualTo(SpecVersion.V0_6_0);
    assertThat(SpecVersion.minimumRequired(new CdiSpec("0.3.0", "a.com/b", Map.of("k", "v"),
        List.of(device("x", nodes(NODE))), null))).isEqualTo(SpecVersion.V0_6_0);
  }

  @Test
  void intelRdtAndAdditionalGidsNeed070() {
    ContainerEdits gids = new ContainerEdits(null, List.of(NODE), null, null, null, null, List.of(5L));
    ContainerEdits rdt = new ContainerEdits(null, List.of(NODE), null, null, null,
        new IntelRdt("c", null, null, null, false), null);
    assertThat(minimum("a.com/b", device("x", gids), ContainerEdits.EMPTY)).isEqualTo(SpecVersion.V0_7_0);
    assertThat(minimum("a.com/b", device("x", nodes(NODE)), rdt)).isEqualTo(SpecVersion.V0_7_0);
  }

  @Test
  void netDevicesAndTheNewRdtFieldsNeed110() {
    ContainerEdits net = new ContainerEdits(null, null, List.of(new NetDevice("eth0", "n0")), null, null, null,
        null);
    ContainerEdits monitoring = new ContainerEdits(null, List.of(NODE), null, null, null,
        new IntelRdt(null, null, null, null, true), null);
    assertThat(minimum("a.com/b", device("x", net), ContainerEdits.EMPTY)).isEqualTo(SpecVersion.V1_1_0);
    assertThat(minimum("a.com/b", device("x", monitoring), ContainerEdits.EMPTY)).isEqualTo(SpecVersion.V1_1_0);
  }

  @Test
  void ofSetsTheMinimumAndWithAnnotationsRaisesIt() {
    CdiSpec spec = CdiSpec.of("a.com/b", List.of(device("x", nodes(NODE))), ContainerEdits.EMPTY);
    assertThat(spec.cdiVersion()).isEqualTo("0.3.0");
    assertThat(spec.withAnnotations(Map.of("k", "v")).cdiVersion()).isEqualTo("0.6.0");
  }
}
