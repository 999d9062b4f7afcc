package io.github.volcanovgpu.proto.bridge.v1;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins the VgpuScheduler API's package, method paths and the numbers clients depend on. */
class SchedulerApiWireTest {

  @Test
  void serviceLivesInPackageVolcanovgpuBridgeV1() {
    assertThat(SchedulerProto.getDescriptor().getPackage()).isEqualTo("volcanovgpu.bridge.v1");
    assertThat(VgpuSchedulerGrpc.SERVICE_NAME).isEqualTo("volcanovgpu.bridge.v1.VgpuScheduler");
  }

  @Test
  void everyVerbIsAUnaryCallWithAStablePath() {
    assertThat(VgpuSchedulerGrpc.getServiceDescriptor().getMethods())
        .allMatch(m -> m.getType() == MethodDescriptor.MethodType.UNARY);
    assertThat(
        VgpuSchedulerGrpc.getServiceDescriptor().getMethods().stream()
            .map(MethodDescriptor::getFullMethodName)
            .collect(Collectors.toList()))
        .containsExactlyInAnyOrder(
            "volcanovgpu.bridge.v1.VgpuScheduler/OpenSession",
            "volcanovgpu.bridge.v1.VgpuScheduler/CloseSession",
            "volcanovgpu.bridge.v1.VgpuScheduler/Predicate",
            "volcanovgpu.bridge.v1.VgpuScheduler/Prioritize",
            "volcanovgpu.bridge.v1.VgpuScheduler/Allocate",
            "volcanovgpu.bridge.v1.VgpuScheduler/Deallocate");
  }

  @Test
  void predicateCodesEqualVolcanosExtenderCodes() {
    assertThat(PredicateCode.PREDICATE_CODE_SUCCESS.getNumber()).isZero();
    assertThat(PredicateCode.PREDICATE_CODE_ERROR.getNumber()).isEqualTo(1);
    assertThat(PredicateCode.PREDICATE_CODE_UNSCHEDULABLE.getNumber()).isEqualTo(2);
    assertThat(PredicateCode.PREDICATE_CODE_UNSCHEDULABLE_AND_UNRESOLVABLE.getNumber()).isEqualTo(3);
  }

  @Test
  void nameOnlyNodeIsJustItsNameOnTheWire() {
    // field 1 (0x0a) length 2 "n1"; no details field
    assertThat(NodeView.newBuilder().setName("n1").build().toByteArray())
        .containsExactly(0x0a, 0x02, 'n', '1');
  }

  @Test
  void podAndTaskFieldNumbersAreStable() {
    assertThat(PodView.UID_FIELD_NUMBER).isEqualTo(1);
    assertThat(PodView.NAMESPACE_FIELD_NUMBER).isEqualTo(2);
    assertThat(PodView.NAME_FIELD_NUMBER).isEqualTo(3);
    assertThat(PodView.ANNOTATIONS_FIELD_NUMBER).isEqualTo(4);
    assertThat(PodView.CONTAINERS_FIELD_NUMBER).isEqualTo(5);
    assertThat(PodView.INIT_CONTAINERS_FIELD_NUMBER).isEqualTo(6);
    assertThat(PodView.NODE_NAME_FIELD_NUMBER).isEqualTo(7);
    assertThat(PodView.PHASE_FIELD_NUMBER).isEqualTo(8);
    assertThat(PodView.RESOURCE_VERSION_FIELD_NUMBER).isEqualTo(9);
    assertThat(TaskView.POD_FIELD_NUMBER).isEqualTo(1);
    assertThat(TaskView.STATUS_FIELD_NUMBER).isEqualTo(2);
    assertThat(TaskView.NODE_NAME_FIELD_NUMBER).isEqualTo(3);
    assertThat(TaskView.POD_ANNOTATIONS_FIELD_NUMBER).isEqualTo(4);
    assertThat(NodeView.DETAILS_FIELD_NUMBER).isEqualTo(2);
    assertThat(PrioritizeResponse.NODE_SCORES_FIELD_NUMBER).isEqualTo(1);
    assertThat(PrioritizeResponse.ERROR_MESSAGE_FIELD_NUMBER).isEqualTo(2);
  }
}
