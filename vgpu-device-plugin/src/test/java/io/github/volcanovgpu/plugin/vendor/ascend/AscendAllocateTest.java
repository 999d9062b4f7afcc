package io.github.volcanovgpu.plugin.vendor.ascend;

import static io.github.volcanovgpu.plugin.vendor.HamiPods.container;
import static io.github.volcanovgpu.plugin.vendor.HamiPods.pod;
import static io.github.volcanovgpu.plugin.vendor.ascend.AscendFixtures.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler.AllocationException;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Allocate of Ascend chips on a fake machine, through the backend's kubelet resource: the answers per mode (goldens),
 * pod resolution (multi-container, init containers, 910C module pairs, concurrency) and bad input.
 */
class AscendAllocateTest {
  private static final String B3 = "huawei.com/Ascend910B3";
  private static final String C = "huawei.com/Ascend910C";

  @TempDir
  Path hook;

  private final FakePodSource pods = new FakePodSource();
  private ExecutorService threads;

  @AfterEach
  void stop() {
    if (threads != null) {
      threads.shutdownNow();
    }
  }

  private AllocationHandler handler(String fixture, boolean hamiCore) {
    NodeServing s = new AscendBackend(FakeDcmiPort.fixture(fixture, NODE), AscendFixtures.settings(hook),
        AscendFixtures.CLOCK).serve(AscendFixtures.context(AscendFixtures.nodeConfig(hamiCore, ""), pods));
    return s.resources().get(0).handler();
  }

  private static String npu(int phyId) {
    return NODE + "-npu-" + phyId;
  }

  private static String entry(String commonWord, int memoryMib, int core, int... phyIds) {
    StringBuilder sb = new StringBuilder();
    for (int p : phyIds) {
      sb.append(npu(p)).append(',').append(commonWord).append(',').append(memoryMib).append(',').append(core)
          .append(':');
    }
    return sb.toString();
  }

  private static String hamiCoreInfo(int memoryMib, int core, int... phyIds) {
    List<String> parts = new ArrayList<>();
    for (int p : phyIds) {
      parts.add("{\"UUID\":\"" + npu(p) + "\",\"memory\":" + memoryMib + ",\"core\":" + core + "}");
    }
    return "[" + String.join(",", parts) + "]";
  }

  private static AllocateRequest request(String... ids) {
    return AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(List.of(ids))).build();
  }

  private static ContainerAllocateResponse allocateOne(AllocationHandler h, String resource, String... ids) {
    return h.allocate(resource, request(ids)).getContainerResponses(0);
  }

  private String annotation(String pod, String key) {
    return pods.annotation(pod, key);
  }

  private static Mount mount(String container, Path host, boolean readOnly) {
    return Mount.newBuilder().setContainerPath(container).setHostPath(host.toString()).setReadOnly(readOnly).build();
  }

  @Test
  void hamiCorePodGetsTheLimitersEnvsMountsAndLimitsFileAndThePodSucceeds() throws Exception {
    AllocationHandler h = handler("910B3x8", true);
    pods.put(pod("p1", "Ascend910B3", entry("Ascend910B3", 16384, 30, 3) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), hamiCoreInfo(16384, 30, 3))
        .annotation(AscendAnnotations.VNPU_MODE, AscendAnnotations.VNPU_MODE_HAMI_CORE)
        .container(container("main", B3, "1")).build());
    pods.lockNode(NODE, HamiAnnotations.NODE_LOCK, "2026-12-04T10:00:00Z");

    ContainerAllocateResponse r = allocateOne(h, B3, npu(3) + "-7");

    assertThat(r.getEnvsMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "ASCEND_VISIBLE_DEVICES", "3",
        "NPU_MEM_QUOTA", "16384",
        "NPU_PRIORITY", "30",
        "NPU_CORE_PERCENT", "30",
        "NPU_GLOBAL_SHM_PATH", "/hami-shared-region/3.sched",
        "NPU_LOCAL_SHM_PATH", "/hami-vnpu-shmem/vnpu.cache"));
    Path limits = hook.resolve("limits/uid-p1_main/limits");
    assertThat(r.getMountsList()).containsExactly(
        mount("/hami-vnpu-core", hook, true),
        mount("/etc/ld.so.preload", hook.resolve("ld.so.preload"), true),
        mount("/etc/vgpu/limits", limits, true),
        mount("/hami-shared-region", hook.resolve("shared"), false),
        mount("/hami-vnpu-shmem", hook.resolve("containers/uid-p1_main"), false),
        mount("/usr/local/bin/npu-smi", Path.of("/usr/local/bin/npu-smi"), true));
    assertThat(Files.readString(limits)).isEqualTo("""
        version=1
        kind=npu
        devices=1
        device.0.id=3
        device.0.memory_mib=16384
        device.0.core_percent=30
        device.0.scheduler=/hami-shared-region/3.sched
        priority=1
        core_policy=force
        oversubscribe=false
        region=/hami-vnpu-shmem/vnpu.cache
        """);
    assertThat(hook.resolve("containers/uid-p1_main")).isDirectory();
    assertThat(annotation("p1", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(annotation("p1", HamiAnnotations.devicesToAllocate("Ascend910B3"))).isEqualTo(";");
    assertThat(annotation("p1", HamiAnnotations.devicesAllocated("Ascend910B3")))
        .isEqualTo(entry("Ascend910B3", 16384, 30, 3) + ";");
    assertThat(annotation("p1", HamiAnnotations.ASSIGNED_TIME)).as("HAMi keeps the time").isEqualTo("1000");
    assertThat(pods.nodeLocked(NODE, HamiAnnotations.NODE_LOCK)).isFalse();
  }

  @Test
  void templatePodGetsItsTemplateAndAWholeCardNone() {
    AllocationHandler h = handler("910B3x8", false);
    pods.put(pod("vnpu", "Ascend910B3", entry("Ascend910B3", 16384, 0, 2) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), "[{\"UUID\":\"" + npu(2) + "\",\"temp\":"
            + "\"vir05_1c_16g\"}]")
        .container(container("main", B3, "1", "huawei.com/Ascend910B3-memory", "16384")).build());
    pods.put(pod("whole", "Ascend910B3", entry("Ascend910B3", 65536, 0, 4) + ";")
        .annotation(HamiAnnotations.ASSIGNED_TIME, "2000")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), "[{\"UUID\":\"" + npu(4) + "\",\"temp\":\"\"}]")
        .container(container("main", B3, "1")).build());

    ContainerAllocateResponse vnpu = allocateOne(h, B3, npu(2) + "-0");
    ContainerAllocateResponse whole = allocateOne(h, B3, npu(4) + "-1");

    assertThat(vnpu.getEnvsMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "ASCEND_VISIBLE_DEVICES", "2", "ASCEND_VNPU_SPECS", "vir05_1c_16g"));
    assertThat(vnpu.getMountsList()).isEmpty();
    assertThat(whole.getEnvsMap()).containsExactly(Map.entry("ASCEND_VISIBLE_DEVICES", "4"));
    assertThat(annotation("vnpu", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(annotation("whole", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(hook.resolve("containers")).doesNotExist();
  }

  @Test
  void superPodContainerAskingForOneNpuGetsItsModulePair() throws Exception {
    AllocationHandler h = handler("910Cx16", true);
    pods.put(pod("pair", "Ascend910C", entry("Ascend910C", 32768, 50, 4, 5) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910C"), hamiCoreInfo(32768, 50, 4, 5))
        .container(container("main", C, "1")).build());

    assertThat(h.expectedCards(C, 1)).as("GetPreferredAllocation steers the kubelet into the pair")
        .containsExactly(npu(4), npu(5));
    ContainerAllocateResponse r = allocateOne(h, C, npu(4) + "-3");

    assertThat(r.getEnvsMap()).containsEntry("ASCEND_VISIBLE_DEVICES", "4,5")
        .containsEntry("NPU_GLOBAL_SHM_PATH", "/hami-shared-region/4.sched")
        .containsEntry("NPU_GLOBAL_SHM_PATH_1", "/hami-shared-region/5.sched");
    assertThat(Files.readString(hook.resolve("limits/uid-pair_main/limits")))
        .contains("devices=2\n", "device.0.id=4\n", "device.1.id=5\n", "device.1.memory_mib=32768\n",
            "device.1.scheduler=/hami-shared-region/5.sched\n");
    assertThat(annotation("pair", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void theReleaseNotesAliasIsAllocatedLikeTheChipsOwnResource() {
    NodeServing s = new AscendBackend(FakeDcmiPort.fixture("910Cx16", NODE), AscendFixtures.settings(hook),
        AscendFixtures.CLOCK).serve(AscendFixtures.context(AscendFixtures.nodeConfig(true, ""), pods));
    assertThat(s.resources()).extracting(r -> r.resourceName()).containsExactly(C, "hami.io/vnpu-core");
    AllocationHandler alias = s.resources().get(1).handler();
    pods.put(pod("alias", "Ascend910C", entry("Ascend910C", 32768, 0, 8, 9) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910C"), hamiCoreInfo(32768, 0, 8, 9))
        .annotation(AscendAnnotations.ALIAS_CHIP, "ascend910c")
        .container(container("main", "hami.io/vnpu-core", "2", "hami.io/vnpu-core-memory", "32768")).build());

    assertThat(alias.expectedCards("hami.io/vnpu-core", 2)).containsExactly(npu(8), npu(9));
    ContainerAllocateResponse r = allocateOne(alias, "hami.io/vnpu-core", npu(8) + "-0", npu(9) + "-0");

    assertThat(r.getEnvsMap()).containsEntry("ASCEND_VISIBLE_DEVICES", "8,9").containsEntry("NPU_MEM_QUOTA", "32768")
        .doesNotContainKey("NPU_PRIORITY");
    assertThat(annotation("alias", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void superPodIdOutsideTheAssignedPairIsRefusedAndThePairKept() {
    AllocationHandler h = handler("910Cx16", true);
    String assigned = entry("Ascend910C", 32768, 50, 4, 5) + ";";
    pods.put(pod("pair", "Ascend910C", assigned)
        .annotation(AscendAnnotations.runtimeInfo("Ascend910C"), hamiCoreInfo(32768, 50, 4, 5))
        .container(container("main", C, "1")).build());

    assertThatThrownBy(() -> allocateOne(h, C, npu(6) + "-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getMessage()).contains("device number not matched", npu(6) + "-0", "ns/pair");
        });
    assertThat(annotation("pair", HamiAnnotations.BIND_PHASE)).isEqualTo("failed");
    assertThat(annotation("pair", HamiAnnotations.devicesToAllocate("Ascend910C"))).isEqualTo(assigned);
  }

  @Test
  void entriesFollowTheRequestingRegularContainersNotInitContainersAndTheLastSucceeds() {
    AllocationHandler h = handler("910B3x8", true);
    pods.put(pod("multi", "Ascend910B3",
        entry("Ascend910B3", 8192, 10, 1) + ";" + entry("Ascend910B3", 4096, 20, 2, 3) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), hamiCoreInfo(8192, 10, 1).replace("]", ",")
            + hamiCoreInfo(4096, 20, 2, 3).replace("[", ""))
        .init(container("setup", B3, "1"))
        .container(container("log", "cpu", "1"))
        .container(container("a", B3, "1"))
        .container(container("zero", B3, "0"))
        .container(container("b", B3, "2")).build());
    pods.lockNode(NODE, HamiAnnotations.NODE_LOCK, "locked");

    ContainerAllocateResponse a = allocateOne(h, B3, npu(1) + "-0");

    assertThat(a.getEnvsMap()).containsEntry("ASCEND_VISIBLE_DEVICES", "1").containsEntry("NPU_MEM_QUOTA", "8192");
    assertThat(a.getMountsList()).contains(mount("/hami-vnpu-shmem", hook.resolve("containers/uid-multi_a"), false));
    assertThat(annotation("multi", HamiAnnotations.BIND_PHASE)).isEqualTo("allocating");
    assertThat(annotation("multi", HamiAnnotations.devicesToAllocate("Ascend910B3")))
        .isEqualTo(";" + entry("Ascend910B3", 4096, 20, 2, 3) + ";");
    assertThat(pods.nodeLocked(NODE, HamiAnnotations.NODE_LOCK)).isTrue();

    ContainerAllocateResponse b = allocateOne(h, B3, npu(3) + "-1", npu(2) + "-5");

    assertThat(b.getEnvsMap()).containsEntry("ASCEND_VISIBLE_DEVICES", "2,3").containsEntry("NPU_MEM_QUOTA", "4096");
    assertThat(b.getMountsList()).contains(mount("/hami-vnpu-shmem", hook.resolve("containers/uid-multi_b"), false));
    assertThat(annotation("multi", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(annotation("multi", HamiAnnotations.devicesToAllocate("Ascend910B3"))).isEqualTo(";;");
    assertThat(pods.nodeLocked(NODE, HamiAnnotations.NODE_LOCK)).isFalse();
    assertThat(hook.resolve("containers/uid-multi_setup")).doesNotExist();
  }

  @Test
  void concurrentAllocatesForOneNpuHandEveryPodItsEntryExactlyOnce() throws Exception {
    AllocationHandler h = handler("910B3x8", true);
    int n = 10;
    for (int i = 0; i < n; i++) {
      pods.put(pod("p" + i, "Ascend910B3", entry("Ascend910B3", 4096, 10, 0) + ";")
          .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), hamiCoreInfo(4096, 10, 0))
          .container(container("main", B3, "1")).build());
    }
    threads = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = npu(0) + "-" + i;
      Callable<String> call = () -> {
        go.await();
        return allocateOne(h, B3, id).getMountsList().stream()
            .filter(m -> m.getContainerPath().equals("/hami-vnpu-shmem")).findFirst().orElseThrow().getHostPath();
      };
      results.add(threads.submit(call));
    }
    go.countDown();
    Set<String> dirs = ConcurrentHashMap.newKeySet();
    for (Future<String> f : results) {
      dirs.add(f.get());
    }

    assertThat(dirs).as("ten distinct pods, none twice").hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(annotation("p" + i, HamiAnnotations.BIND_PHASE)).isEqualTo("success");
      assertThat(annotation("p" + i, HamiAnnotations.devicesToAllocate("Ascend910B3"))).isEqualTo(";");
    }
    assertThatThrownBy(() -> allocateOne(h, B3, npu(0) + "-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void malformedRuntimeInfoFailsThePodWithTheReasonAndKeepsItsEntry() {
    AllocationHandler h = handler("910B3x8", true);
    String assigned = entry("Ascend910B3", 4096, 10, 0) + ";";
    pods.put(pod("bad", "Ascend910B3", assigned)
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), "{not json")
        .container(container("main", B3, "1")).build());
    pods.lockNode(NODE, HamiAnnotations.NODE_LOCK, "locked");

    assertThatThrownBy(() -> allocateOne(h, B3, npu(0) + "-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getMessage()).contains("ns/bad", "huawei.com/Ascend910B3", "not JSON");
        });
    assertThat(annotation("bad", HamiAnnotations.BIND_PHASE)).isEqualTo("failed");
    assertThat(annotation("bad", HamiAnnotations.devicesToAllocate("Ascend910B3"))).isEqualTo(assigned);
    assertThat(pods.nodeLocked(NODE, HamiAnnotations.NODE_LOCK)).isFalse();
    assertThat(hook.resolve("limits")).doesNotExist();
  }

  @Test
  void missingOrIncompleteRuntimeInfoAndUnknownTemplatesAreRefusedByName() {
    AllocationHandler h = handler("910B3x8", false);
    pods.put(pod("none", "Ascend910B3", entry("Ascend910B3", 4096, 0, 0) + ";")
        .container(container("main", B3, "1")).build());
    assertThatThrownBy(() -> allocateOne(h, B3, npu(0) + "-0"))
        .hasMessageContaining("pod ns/none has no huawei.com/Ascend910B3 annotation");

    pods.put(pod("other", "Ascend910B3", entry("Ascend910B3", 4096, 0, 1) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), "[{\"UUID\":\"" + npu(7) + "\"}]")
        .container(container("main", B3, "1")).build());
    assertThatThrownBy(() -> allocateOne(h, B3, npu(1) + "-0"))
        .hasMessageContaining("has no entry for " + npu(1));

    pods.put(pod("vir99", "Ascend910B3", entry("Ascend910B3", 4096, 0, 2) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), "[{\"UUID\":\"" + npu(2) + "\",\"temp\":\"vir99\"}]")
        .container(container("main", B3, "1")).build());
    assertThatThrownBy(() -> allocateOne(h, B3, npu(2) + "-0"))
        .hasMessageContaining("template \"vir99\"").hasMessageContaining("vir05_1c_16g");
    assertThat(List.of("none", "other", "vir99"))
        .allSatisfy(p -> assertThat(annotation(p, HamiAnnotations.BIND_PHASE)).isEqualTo("failed"));
  }

  @Test
  void hamiCorePodOnATemplateNodeAndUnknownModesAreRefused() {
    AllocationHandler h = handler("910B3x8", false);
    pods.put(pod("soft", "Ascend910B3", entry("Ascend910B3", 4096, 10, 0) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), hamiCoreInfo(4096, 10, 0))
        .annotation(AscendAnnotations.VNPU_MODE, "hami-core")
        .container(container("main", B3, "1")).build());
    assertThatThrownBy(() -> allocateOne(h, B3, npu(0) + "-0"))
        .hasMessageContaining("does not run hami-vnpu-core for Ascend910B3");

    pods.put(pod("fast", "Ascend910B3", entry("Ascend910B3", 4096, 10, 1) + ";")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), hamiCoreInfo(4096, 10, 1))
        .annotation(AscendAnnotations.VNPU_MODE, "fast")
        .container(container("main", B3, "1")).build());
    assertThatThrownBy(() -> allocateOne(h, B3, npu(1) + "-0"))
        .hasMessageContaining("huawei.com/vnpu-mode=\"fast\" is neither hami-core nor template");
  }

  @Test
  void aDeviceThatIsNoNpuOfThisNodeIsRefused() {
    AllocationHandler h = handler("910B3x8", true);
    pods.put(pod("ghost", "Ascend910B3", "ghost-npu,Ascend910B3,4096,10:;")
        .annotation(AscendAnnotations.runtimeInfo("Ascend910B3"), "[{\"UUID\":\"ghost-npu\",\"memory\":4096}]")
        .container(container("main", B3, "1")).build());

    assertThatThrownBy(() -> allocateOne(h, B3, "ghost-npu-0"))
        .hasMessageContaining("ghost-npu, which is not a Ascend910B3 NPU of this node");
  }

  @Test
  void unreadableDevicesToAllocateIsNamedAndNoPodIsTouched() {
    AllocationHandler h = handler("910B3x8", true);
    pods.put(pod("garbage", "Ascend910B3", "npu-x,Ascend910B3,lots,10:;")
        .container(container("main", B3, "1")).build());

    assertThatThrownBy(() -> allocateOne(h, B3, npu(0) + "-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getMessage()).contains("unreadable: ns/garbage hami.io/Ascend910B3-devices-to-allocate",
              "npu-x,Ascend910B3,lots,10");
        });
    assertThat(annotation("garbage", HamiAnnotations.BIND_PHASE)).isEqualTo("allocating");
  }

  @Test
  void podsAssignedThroughOtherKindsKeysAreNotPickedUp() {
    AllocationHandler h = handler("910B3x8", true);
    pods.put(pod("gpu", "Ascend910B4", entry("Ascend910B4", 4096, 10, 0) + ";")
        .annotation(VgpuAnnotations.DEVICES_TO_ALLOCATE, entry("Ascend910B3", 4096, 10, 0))
        .container(container("main", B3, "1")).build());

    assertThatThrownBy(() -> allocateOne(h, B3, npu(0) + "-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
    assertThat(annotation("gpu", HamiAnnotations.BIND_PHASE)).isEqualTo("allocating");
  }
}
