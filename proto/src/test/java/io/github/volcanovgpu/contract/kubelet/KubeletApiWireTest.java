package io.github.volcanovgpu.contract.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginApiProto;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginGrpc;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginOptions;
import io.github.volcanovgpu.proto.kubelet.v1beta1.NUMANode;
import io.github.volcanovgpu.proto.kubelet.v1beta1.RegisterRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.RegistrationGrpc;
import io.github.volcanovgpu.proto.kubelet.v1beta1.TopologyInfo;
import io.github.volcanovgpu.proto.podresources.v1.PodResourcesApiProto;
import io.github.volcanovgpu.proto.podresources.v1.PodResourcesListerGrpc;
import io.grpc.MethodDescriptor.MethodType;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pins the kubelet APIs to the wire: proto packages, gRPC method paths, and every message's fields (name, number,
 * type) as reference deviceplugin-cdi-mig.md §1.3 and §1.8 state them. Renumbering, renaming or retyping a field,
 * or adding or dropping one, fails here.
 */
class KubeletApiWireTest {

  /** Reference §1.3: message, field number, field name, type ({@code repeated X}, {@code map<K,V>}). */
  private static final String DEVICE_PLUGIN_V1BETA1 =
      """
      DevicePluginOptions 1 pre_start_required bool
      DevicePluginOptions 2 get_preferred_allocation_available bool
      RegisterRequest 1 version string
      RegisterRequest 2 endpoint string
      RegisterRequest 3 resource_name string
      RegisterRequest 4 options DevicePluginOptions
      Empty
      ListAndWatchResponse 1 devices repeated Device
      TopologyInfo 1 nodes repeated NUMANode
      NUMANode 1 ID int64
      Device 1 ID string
      Device 2 health string
      Device 3 topology TopologyInfo
      PreStartContainerRequest 1 devices_ids repeated string
      PreStartContainerResponse
      PreferredAllocationRequest 1 container_requests repeated ContainerPreferredAllocationRequest
      ContainerPreferredAllocationRequest 1 available_deviceIDs repeated string
      ContainerPreferredAllocationRequest 2 must_include_deviceIDs repeated string
      ContainerPreferredAllocationRequest 3 allocation_size int32
      PreferredAllocationResponse 1 container_responses repeated ContainerPreferredAllocationResponse
      ContainerPreferredAllocationResponse 1 deviceIDs repeated string
      AllocateRequest 1 container_requests repeated ContainerAllocateRequest
      ContainerAllocateRequest 1 devices_ids repeated string
      CDIDevice 1 name string
      AllocateResponse 1 container_responses repeated ContainerAllocateResponse
      ContainerAllocateResponse 1 envs map<string,string>
      ContainerAllocateResponse 2 mounts repeated Mount
      ContainerAllocateResponse 3 devices repeated DeviceSpec
      ContainerAllocateResponse 4 annotations map<string,string>
      ContainerAllocateResponse 5 cdi_devices repeated CDIDevice
      Mount 1 container_path string
      Mount 2 host_path string
      Mount 3 read_only bool
      DeviceSpec 1 container_path string
      DeviceSpec 2 host_path string
      DeviceSpec 3 permissions string
      """;

  /** Reference §1.8. */
  private static final String POD_RESOURCES_V1 =
      """
      AllocatableResourcesRequest
      AllocatableResourcesResponse 1 devices repeated ContainerDevices
      AllocatableResourcesResponse 2 cpu_ids repeated int64
      AllocatableResourcesResponse 3 memory repeated ContainerMemory
      ListPodResourcesRequest
      ListPodResourcesResponse 1 pod_resources repeated PodResources
      PodResources 1 name string
      PodResources 2 namespace string
      PodResources 3 containers repeated ContainerResources
      PodResources 4 cpu_ids repeated int64
      PodResources 5 memory repeated ContainerMemory
      ContainerResources 1 name string
      ContainerResources 2 devices repeated ContainerDevices
      ContainerResources 3 cpu_ids repeated int64
      ContainerResources 4 memory repeated ContainerMemory
      ContainerResources 5 dynamic_resources repeated DynamicResource
      ContainerMemory 1 memory_type string
      ContainerMemory 2 size uint64
      ContainerMemory 3 topology TopologyInfo
      ContainerDevices 1 resource_name string
      ContainerDevices 2 device_ids repeated string
      ContainerDevices 3 topology TopologyInfo
      TopologyInfo 1 nodes repeated NUMANode
      NUMANode 1 ID int64
      DynamicResource 2 claim_name string
      DynamicResource 3 claim_namespace string
      DynamicResource 4 claim_resources repeated ClaimResource
      ClaimResource 1 cdi_devices repeated CDIDevice
      ClaimResource 2 driver_name string
      ClaimResource 3 pool_name string
      ClaimResource 4 device_name string
      ClaimResource 5 share_id optional string
      CDIDevice 1 name string
      GetPodResourcesRequest 1 pod_name string
      GetPodResourcesRequest 2 pod_namespace string
      GetPodResourcesResponse 1 pod_resources PodResources
      """;

  @Test
  void devicePluginProtoPackageIsV1beta1() {
    assertThat(DevicePluginApiProto.getDescriptor().getPackage()).isEqualTo("v1beta1");
    assertThat(DevicePluginApiProto.getDescriptor().toProto().getSyntax()).isEqualTo("proto3");
  }

  @Test
  void devicePluginServicesHaveTheKubeletsMethodPaths() {
    assertThat(RegistrationGrpc.SERVICE_NAME).isEqualTo("v1beta1.Registration");
    assertThat(RegistrationGrpc.getRegisterMethod().getFullMethodName()).isEqualTo("v1beta1.Registration/Register");
    assertThat(DevicePluginGrpc.SERVICE_NAME).isEqualTo("v1beta1.DevicePlugin");
    assertThat(methodPaths(DevicePluginGrpc.getServiceDescriptor()))
        .containsExactlyInAnyOrder(
            "v1beta1.DevicePlugin/GetDevicePluginOptions",
            "v1beta1.DevicePlugin/ListAndWatch",
            "v1beta1.DevicePlugin/GetPreferredAllocation",
            "v1beta1.DevicePlugin/Allocate",
            "v1beta1.DevicePlugin/PreStartContainer");
  }

  @Test
  void listAndWatchIsTheOnlyStreamingCall() {
    assertThat(DevicePluginGrpc.getListAndWatchMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
    assertThat(DevicePluginGrpc.getAllocateMethod().getType()).isEqualTo(MethodType.UNARY);
    assertThat(DevicePluginGrpc.getGetPreferredAllocationMethod().getType()).isEqualTo(MethodType.UNARY);
    assertThat(DevicePluginGrpc.getPreStartContainerMethod().getType()).isEqualTo(MethodType.UNARY);
    assertThat(DevicePluginGrpc.getGetDevicePluginOptionsMethod().getType()).isEqualTo(MethodType.UNARY);
    assertThat(RegistrationGrpc.getRegisterMethod().getType()).isEqualTo(MethodType.UNARY);
  }

  @Test
  void devicePluginRpcsTakeAndReturnTheReferenceMessages() {
    assertThat(signatures(DevicePluginApiProto.getDescriptor()))
        .containsExactlyInAnyOrder(
            "Registration.Register(RegisterRequest) -> Empty",
            "DevicePlugin.GetDevicePluginOptions(Empty) -> DevicePluginOptions",
            "DevicePlugin.ListAndWatch(Empty) -> stream ListAndWatchResponse",
            "DevicePlugin.GetPreferredAllocation(PreferredAllocationRequest) -> PreferredAllocationResponse",
            "DevicePlugin.Allocate(AllocateRequest) -> AllocateResponse",
            "DevicePlugin.PreStartContainer(PreStartContainerRequest) -> PreStartContainerResponse");
  }

  @Test
  void everyDevicePluginMessageHasExactlyTheReferenceFields() {
    assertThat(describe(DevicePluginApiProto.getDescriptor())).isEqualTo(table(DEVICE_PLUGIN_V1BETA1));
  }

  @Test
  void podResourcesProtoPackageAndMethodPathsAreTheKubelets() {
    assertThat(PodResourcesApiProto.getDescriptor().getPackage()).isEqualTo("v1");
    assertThat(methodPaths(PodResourcesListerGrpc.getServiceDescriptor()))
        .containsExactlyInAnyOrder(
            "v1.PodResourcesLister/List",
            "v1.PodResourcesLister/GetAllocatableResources",
            "v1.PodResourcesLister/Get");
  }

  @Test
  void everyPodResourcesMessageHasExactlyTheReferenceFields() {
    assertThat(describe(PodResourcesApiProto.getDescriptor())).isEqualTo(table(POD_RESOURCES_V1));
  }

  @Test
  void dynamicResourceKeepsFieldOneReservedForTheRemovedClassName() {
    Descriptor d = PodResourcesApiProto.getDescriptor().findMessageTypeByName("DynamicResource");
    assertThat(d.isReservedNumber(1)).isTrue();
    assertThat(d.isReservedName("class_name")).isTrue();
  }

  @Test
  void registerRequestEncodesToTheKubeletsBytes() {
    // proto3 wire: field 1 (0x0a) "v1beta1", field 2 (0x12) "a.sock", field 3 (0x1a) "x/y", field 4 (0x22) {1: true}
    RegisterRequest request =
        RegisterRequest.newBuilder()
            .setVersion(DevicePluginConstants.VERSION)
            .setEndpoint("a.sock")
            .setResourceName("x/y")
            .setOptions(DevicePluginOptions.newBuilder().setPreStartRequired(true))
            .build();
    assertThat(HexFormat.of().formatHex(request.toByteArray()))
        .isEqualTo("0a07" + hex("v1beta1") + "1206" + hex("a.sock") + "1a03" + hex("x/y") + "22020801");
  }

  @Test
  void deviceWithUpperCaseIdFieldEncodesToTheKubeletsBytes() {
    Device device =
        Device.newBuilder()
            .setID("GPU-1")
            .setHealth(DevicePluginConstants.HEALTHY)
            .setTopology(TopologyInfo.newBuilder().addNodes(NUMANode.newBuilder().setID(1)))
            .build();
    assertThat(HexFormat.of().formatHex(device.toByteArray()))
        .isEqualTo("0a05" + hex("GPU-1") + "1207" + hex("Healthy") + "1a04" + "0a020801");
  }

  @Test
  void containerAllocateResponseCarriesCdiDevicesInFieldFive() {
    ContainerAllocateResponse response =
        ContainerAllocateResponse.newBuilder()
            .addCdiDevices(
                io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice.newBuilder().setName("v.com/gpu=0"))
            .build();
    assertThat(HexFormat.of().formatHex(response.toByteArray())).isEqualTo("2a0d0a0b" + hex("v.com/gpu=0"));
  }

  @Test
  void constantsAreTheKubeletsValues() {
    assertThat(DevicePluginConstants.VERSION).isEqualTo("v1beta1");
    assertThat(DevicePluginConstants.SUPPORTED_VERSIONS).containsExactly("v1beta1");
    assertThat(DevicePluginConstants.HEALTHY).isEqualTo("Healthy");
    assertThat(DevicePluginConstants.UNHEALTHY).isEqualTo("Unhealthy");
    assertThat(DevicePluginConstants.DEVICE_PLUGIN_PATH).isEqualTo("/var/lib/kubelet/device-plugins/");
    assertThat(DevicePluginConstants.KUBELET_SOCKET).isEqualTo("/var/lib/kubelet/device-plugins/kubelet.sock");
    assertThat(DevicePluginConstants.KUBELET_SOCKET_WINDOWS)
        .isEqualTo("\\var\\lib\\kubelet\\device-plugins\\kubelet.sock");
    assertThat(DevicePluginConstants.PRE_START_CONTAINER_TIMEOUT).hasSeconds(30);
    assertThat(DevicePluginConstants.POD_RESOURCES_SOCKET).isEqualTo("/var/lib/kubelet/pod-resources/kubelet.sock");
  }

  private static String hex(String ascii) {
    return HexFormat.of().formatHex(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static List<String> methodPaths(io.grpc.ServiceDescriptor service) {
    return service.getMethods().stream()
        .map(io.grpc.MethodDescriptor::getFullMethodName)
        .collect(Collectors.toList());
  }

  private static List<String> signatures(FileDescriptor file) {
    List<String> out = new ArrayList<>();
    for (ServiceDescriptor s : file.getServices()) {
      for (MethodDescriptor m : s.getMethods()) {
        out.add(
            s.getName() + "." + m.getName() + "(" + (m.isClientStreaming() ? "stream " : "")
                + m.getInputType().getName() + ") -> " + (m.isServerStreaming() ? "stream " : "")
                + m.getOutputType().getName());
      }
    }
    return out;
  }

  /** message name -> sorted "number name type" lines (empty set for messages without fields). */
  private static TreeMap<String, TreeSet<String>> table(String text) {
    TreeMap<String, TreeSet<String>> out = new TreeMap<>();
    for (String line : text.strip().split("\n")) {
      String[] f = line.strip().split(" ", 2);
      TreeSet<String> fields = out.computeIfAbsent(f[0], k -> new TreeSet<>());
      if (f.length > 1) {
        fields.add(f[1]);
      }
    }
    return out;
  }

  private static TreeMap<String, TreeSet<String>> describe(FileDescriptor file) {
    TreeMap<String, TreeSet<String>> out = new TreeMap<>();
    for (Descriptor m : file.getMessageTypes()) {
      assertThat(m.getNestedTypes())
          .as("nested types of %s (only map entries expected)", m.getName())
          .allMatch(n -> n.getOptions().getMapEntry());
      TreeSet<String> fields = new TreeSet<>();
      for (FieldDescriptor f : m.getFields()) {
        fields.add(f.getNumber() + " " + f.getName() + " " + typeOf(f));
      }
      out.put(m.getName(), fields);
    }
    return out;
  }

  private static String typeOf(FieldDescriptor f) {
    if (f.isMapField()) {
      Descriptor entry = f.getMessageType();
      return "map<" + scalar(entry.findFieldByName("key")) + "," + scalar(entry.findFieldByName("value")) + ">";
    }
    String prefix = f.isRepeated() ? "repeated " : f.hasPresence() && f.getContainingOneof() != null ? "optional " : "";
    return prefix + scalar(f);
  }

  private static String scalar(FieldDescriptor f) {
    return f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        ? f.getMessageType().getName()
        : f.getType().name().toLowerCase(Locale.ROOT);
  }
}
