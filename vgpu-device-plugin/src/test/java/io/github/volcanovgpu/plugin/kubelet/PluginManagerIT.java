package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PluginManagerIT {
  private static final String NUMBER = "volcano.sh/vgpu-number";
  private static final String MEMORY = "volcano.sh/vgpu-memory";
  private static final String CORES = "volcano.sh/vgpu-cores";

  private Path dir;
  private FakeGpuBackend backend;
  private List<PhysicalGpu> gpus;
  private TestKubelet kubelet;
  private PluginManager manager;
  private final List<AllocateRequest> handled = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "dp");
    backend = FakeGpuBackend.ofCount(2);
    gpus = backend.discover();
    AllocationHandler number = (resource, request) -> {
      handled.add(request);
      AllocateResponse.Builder b = AllocateResponse.newBuilder();
      for (ContainerAllocateRequest c : request.getContainerRequestsList()) {
        b.addContainerResponses(ContainerAllocateResponse.newBuilder()
            .putEnvs("NVIDIA_VISIBLE_DEVICES", String.join(",", c.getDevicesIdsList())));
      }
      return b.build();
    };
    AllocationHandler refusing = (resource, request) -> {
      throw new AllocationHandler.AllocationException(Status.Code.FAILED_PRECONDITION, "no pending pod");
    };
    HealthState health = new HealthState(gpus, HealthPolicy.defaults());
    kubelet = new TestKubelet(dir).start();
    manager = new PluginManager(dir, List.of(
        new PluginResource(NUMBER, DeviceIds.count(gpus, 4), number, PluginResource.Grouping.ONE_PER_CARD),
        new PluginResource(MEMORY, DeviceIds.memory(gpus, 1024), refusing),
        new PluginResource(CORES, DeviceIds.cores(gpus, 1), (r, q) -> {
          throw new IllegalStateException("boom");
        })), health, Duration.ofSeconds(5));
    manager.connect(backend);
    assertThat(manager.start()).isTrue();
  }

  @AfterEach
  void tearDown() throws Exception {
    manager.close();
    kubelet.close();
    backend.close();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  @SafeVarargs
  private static AllocateRequest request(List<String>... containers) {
    AllocateRequest.Builder b = AllocateRequest.newBuilder();
    for (List<String> ids : containers) {
      b.addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids));
    }
    return b.build();
  }

  @Test
  void registersAllThreeResourcesAndStreamsTheirDevices() {
    assertThat(kubelet.registrations(NUMBER)).isEqualTo(1);
    assertThat(kubelet.endpoint(NUMBER)).isEqualTo("nvidia-vgpu-number.sock");
    assertThat(kubelet.endpoint(MEMORY)).isEqualTo("nvidia-vgpu-memory.sock");
    assertThat(kubelet.endpoint(CORES)).isEqualTo("nvidia-vgpu-cores.sock");
    assertThat(kubelet.options(NUMBER).getGetPreferredAllocationAvailable()).isTrue();
    await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(kubelet.devices(NUMBER)).hasSize(8);
      assertThat(kubelet.devices(MEMORY)).hasSize(160);
      assertThat(kubelet.devices(CORES)).hasSize(200);
    });
    assertThat(kubelet.devices(NUMBER)).extracting(Device::getID)
        .startsWith(gpus.get(0).uuid() + "-0", gpus.get(0).uuid() + "-1");
    assertThat(kubelet.devices(NUMBER)).extracting(Device::getHealth).containsOnly("Healthy");
  }

  @Test
  void xidMarksTheCardsIdsUnhealthyWithinOneSecondAndRecoveryHealsThem() {
    await().atMost(Duration.ofSeconds(1)).until(() -> kubelet.devices(MEMORY).size() == 160);
    String sick = gpus.get(1).uuid();
    String sickMemory = gpus.get(1).minorNumber() + "-"; // memory IDs are <minor>-<i>
    backend.injectXid(sick, 79);
    await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
      for (String resource : List.of(NUMBER, MEMORY, CORES)) {
        for (Device d : kubelet.devices(resource)) {
          boolean ofSick = d.getID().startsWith(resource.equals(MEMORY) ? sickMemory : sick);
          assertThat(d.getHealth()).as(d.getID()).isEqualTo(ofSick ? "Unhealthy" : "Healthy");
        }
      }
    });
    assertThat(manager.health().get(sick).isHealthy()).isFalse();
    assertThat(manager.health().get(gpus.get(0).uuid()).isHealthy()).isTrue();
    backend.recover(sick);
    await().atMost(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(kubelet.devices(NUMBER)).extracting(Device::getHealth).containsOnly("Healthy"));
    assertThat(manager.health().get(sick).isHealthy()).isTrue();
  }

  @Test
  void applicationXidIsIgnored() {
    await().atMost(Duration.ofSeconds(1)).until(() -> kubelet.devices(NUMBER).size() == 8);
    String card = gpus.get(0).uuid();
    String barrier = gpus.get(1).uuid();
    backend.injectXid(card, 13);
    // a critical XID on another card after it: the events are applied in order, and the kubelet gets the whole
    // device list with every change, so the list that shows the barrier card Unhealthy was sent after XID 13 ran
    backend.injectXid(barrier, 79);
    await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(kubelet.devices(NUMBER))
        .filteredOn(d -> d.getID().startsWith(barrier)).extracting(Device::getHealth).containsOnly("Unhealthy"));

    assertThat(kubelet.devices(NUMBER)).filteredOn(d -> d.getID().startsWith(card)).extracting(Device::getHealth)
        .isNotEmpty().containsOnly("Healthy");
    assertThat(manager.health().get(card).isHealthy()).isTrue();
  }

  @Test
  void kubeletRestartWipingTheDirectoryReRegistersWithinOneAndAHalfSecondsKeepingHealth() throws Exception {
    String sick = gpus.get(0).uuid();
    backend.injectXid(sick, 48);
    kubelet.restart();
    await().atMost(Duration.ofMillis(1500)).untilAsserted(() -> {
      for (String resource : List.of(NUMBER, MEMORY, CORES)) {
        assertThat(kubelet.registrations(resource)).as(resource).isGreaterThanOrEqualTo(2);
      }
      assertThat(Files.exists(dir.resolve("nvidia-vgpu-number.sock"))).isTrue();
    });
    await().atMost(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(kubelet.devices(NUMBER)).filteredOn(d -> d.getID().startsWith(sick))
            .hasSize(4).extracting(Device::getHealth).containsOnly("Unhealthy"));
    AllocateResponse r = kubelet.allocate(NUMBER, request(List.of(gpus.get(1).uuid() + "-0")));
    assertThat(r.getContainerResponsesCount()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(manager.services()).allSatisfy(s -> assertThat(s.watcherCount()).isEqualTo(1)));
  }

  @Test
  void aKubeletRestartSeenAsTwoDirectoryEventsRegistersEachResourceOnceWithTheNewKubelet() throws Exception {
    // the real kubelet 1.36 under load: the wipe and the new kubelet.sock arrived as two events; the plugin
    // re-served for the first, registered, then re-served and registered again for the second, so the kubelet
    // dropped the endpoints it had just opened and refused a pod admitted in between ("the client connection is
    // closing")
    for (long startupMillis : new long[] {0, 300}) {
      int before = manager.kubeletSockCreations();
      int restartsBefore = manager.restarts();
      int registrationsBefore = kubelet.registrations(NUMBER);
      kubelet.restart(Duration.ofMillis(startupMillis));
      await().atMost(Duration.ofSeconds(10)).until(() -> manager.kubeletSockCreations() > before);
      await().atMost(Duration.ofSeconds(10)).until(manager::registeredWithCurrentKubelet);
      for (String resource : List.of(NUMBER, MEMORY, CORES)) {
        assertThat(kubelet.registrations(resource)).as(resource + " after a kubelet start of " + startupMillis + " ms")
            .isEqualTo(registrationsBefore + 1);
      }
      assertThat(manager.restarts()).as("re-served once for the wipe").isEqualTo(restartsBefore + 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(CORES).size() == 200);
    }
  }

  @Test
  void pluginStartedBeforeTheKubeletRegistersOnceKubeletSockAppears() throws Exception {
    Path other = Files.createTempDirectory(Path.of("/tmp"), "dq");
    HealthState health = new HealthState(gpus, HealthPolicy.defaults());
    try (PluginManager early = new PluginManager(other,
        List.of(new PluginResource(NUMBER, DeviceIds.count(gpus, 2), (r, q) -> AllocateResponse.getDefaultInstance())),
        health, Duration.ofMillis(500))) {
      assertThat(early.start()).isFalse();
      assertThat(Files.exists(other.resolve("nvidia-vgpu-number.sock"))).isTrue();
      try (TestKubelet late = new TestKubelet(other).start()) {
        await().atMost(Duration.ofMillis(1500)).untilAsserted(() -> assertThat(late.devices(NUMBER)).hasSize(4));
      }
    } finally {
      try (Stream<Path> files = Files.list(other)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(other);
    }
  }

  @Test
  void registrationRefusedByAStartingKubeletIsRetriedWithoutANewKubeletSock() throws Exception {
    // the real kubelet 1.20 refused a Register made right after it re-created kubelet.sock, and nothing retried
    Path other = Files.createTempDirectory(Path.of("/tmp"), "dr");
    HealthState health = new HealthState(gpus, HealthPolicy.defaults());
    try (TestKubelet starting = new TestKubelet(other).start()) {
      starting.refuseNextRegistrations(3);
      try (PluginManager plugin = new PluginManager(other,
          List.of(
              new PluginResource(NUMBER, DeviceIds.count(gpus, 2), (r, q) -> AllocateResponse.getDefaultInstance())),
          health, Duration.ofMillis(500))) {
        assertThat(plugin.start()).isFalse();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(starting.devices(NUMBER)).hasSize(4));
        assertThat(starting.registrations(NUMBER)).isEqualTo(1);
        assertThat(plugin.restarts()).as("no kubelet.sock event was needed").isZero();
      }
    } finally {
      try (Stream<Path> files = Files.list(other)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(other);
    }
  }

  @Test
  void closingThePluginEndsTheKubeletsStreams() throws Exception {
    await().atMost(Duration.ofSeconds(1)).until(() -> kubelet.devices(CORES).size() == 200);
    manager.close();
    await().atMost(Duration.ofSeconds(1)).until(() -> kubelet.streamEnds() >= 3);
    assertThat(dir.resolve("nvidia-vgpu-number.sock")).doesNotExist();
  }

  @Test
  void deletedOwnSocketIsServedAndRegisteredAgain() throws Exception {
    Files.delete(dir.resolve("nvidia-vgpu-memory.sock"));
    await().atMost(Duration.ofMillis(1500)).untilAsserted(() -> {
      assertThat(kubelet.registrations(MEMORY)).isGreaterThanOrEqualTo(2);
      assertThat(Files.exists(dir.resolve("nvidia-vgpu-memory.sock"))).isTrue();
      assertThat(manager.restarts()).isGreaterThanOrEqualTo(1);
    });
    await().atMost(Duration.ofSeconds(1)).until(() -> kubelet.devices(MEMORY).size() == 160);
  }

  @Test
  void allocateWithAnUnknownIdIsInvalidArgumentNamingTheId() {
    assertThatThrownBy(() -> kubelet.allocate(NUMBER, request(List.of(gpus.get(0).uuid() + "-0", "GPU-nope-1"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("GPU-nope-1").contains(NUMBER);
        });
    assertThat(handled).isEmpty();
  }

  @Test
  void allocateIsDelegatedWithTwoContainerRequests() {
    String a = gpus.get(0).uuid() + "-0";
    String b = gpus.get(1).uuid() + "-2";
    AllocateResponse r = kubelet.allocate(NUMBER, request(List.of(a), List.of(b)));
    assertThat(r.getContainerResponsesList()).extracting(c -> c.getEnvsOrThrow("NVIDIA_VISIBLE_DEVICES"))
        .containsExactly(a, b);
    assertThat(handled).hasSize(1);
    assertThat(handled.get(0).getContainerRequestsCount()).isEqualTo(2);
  }

  @Test
  void handlerFailuresBecomeStatusCodes() {
    assertThatThrownBy(() -> kubelet.allocate(MEMORY, request(List.of(gpus.get(0).minorNumber() + "-0"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).isEqualTo("no pending pod");
        });
    assertThatThrownBy(() -> kubelet.allocate(CORES, request(List.of(gpus.get(0).uuid() + "-core-0"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).contains(CORES).doesNotContain("boom");
        });
  }

  @Test
  void preferredAllocationGivesTheMustIncludeIdAndOneIdOfAnotherCard() {
    String card = gpus.get(1).uuid();
    List<String> available = kubelet.devices(NUMBER).stream().map(Device::getID).toList();
    var response = kubelet.preferred(NUMBER, PreferredAllocationRequest.newBuilder()
        .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder()
            .addAllAvailableDeviceIDs(available).addMustIncludeDeviceIDs(card + "-3").setAllocationSize(2))
        .build());
    List<String> ids = response.getContainerResponses(0).getDeviceIDsList();
    assertThat(ids).hasSize(2).startsWith(card + "-3");
    assertThat(ids.get(1)).doesNotStartWith(card);
  }

}
