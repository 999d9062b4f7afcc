package io.github.volcanovgpu.plugin.allocate;

import static io.github.volcanovgpu.plugin.allocate.TestPods.NODE;
import static io.github.volcanovgpu.plugin.allocate.TestPods.gpu;
import static io.github.volcanovgpu.plugin.allocate.TestPods.plain;
import static io.github.volcanovgpu.plugin.allocate.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler.AllocationException;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VgpuAllocationHandlerTest {
  private static final String COUNT = "volcano.sh/vgpu-number";

  @TempDir
  Path hook;

  private final FakePodSource pods = new FakePodSource();

  private AllocationSettings settings(int memoryFactor, double coreScaling, boolean disableCoreLimit) {
    return new AllocationSettings(ResourceNames.volcanoDefaults(), memoryFactor, coreScaling, disableCoreLimit, "",
        hook, NODE, hook.resolve("vgpu").resolve("containers"), hook.resolve("vgpulock"));
  }

  private VgpuAllocationHandler handler() {
    return new VgpuAllocationHandler(settings(1, 1.0, false), pods);
  }

  private static AllocateRequest request(List<String>... containers) {
    AllocateRequest.Builder b = AllocateRequest.newBuilder();
    for (List<String> ids : containers) {
      b.addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids));
    }
    return b.build();
  }

  private ContainerAllocateResponse allocateOne(VgpuAllocationHandler handler, String... ids) {
    AllocateResponse response = handler.allocate(COUNT, request(List.of(ids)));
    assertThat(response.getContainerResponsesCount()).isEqualTo(1);
    return response.getContainerResponses(0);
  }

  private String annotation(String pod, String key) {
    return pods.get("ns", pod).annotation(key);
  }

  @Test
  void singleGpuContainerGetsTheReferenceEnvsAndMountsAndThePodSucceeds() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,3000,50:").container(gpu("main", 1)).build());
    pods.lockNode(NODE, "2026-11-28T18:00:00Z");

    ContainerAllocateResponse r = allocateOne(handler(), "GPU-aaa-3");

    assertThat(r.getEnvsMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "NVIDIA_VISIBLE_DEVICES", "GPU-aaa",
        "CUDA_DEVICE_MEMORY_LIMIT_0", "3000m",
        "CUDA_DEVICE_SM_LIMIT", "50",
        "CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_main.cache"));
    Path cacheDir = hook.resolve("vgpu/containers/uid-p1_main");
    assertThat(r.getMountsList()).containsExactly(
        mount("/usr/local/vgpu/libvgpu.so", hook.resolve("libvgpu.so"), true),
        mount("/etc/ld.so.preload", hook.resolve("ld.so.preload"), true),
        mount("/tmp/vgpu", cacheDir, false),
        mount("/tmp/vgpulock", hook.resolve("vgpulock"), false),
        mount("/etc/vgpu/limits", hook.resolve("vgpu/limits/uid-p1_main/limits"), true));
    assertThat(cacheDir).isDirectory();
    // the limits libvgpu takes from the read-only file, which the envs can only lower
    assertThat(hook.resolve("vgpu/limits/uid-p1_main/limits")).hasContent("""
        version=1
        kind=cuda
        devices=1
        device.0.id=GPU-aaa
        device.0.memory_mib=3000
        device.0.core_percent=50
        priority=1
        core_policy=default
        oversubscribe=false
        region=/tmp/vgpu/uid-p1_main.cache
        """);
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(annotation("p1", VgpuAnnotations.DEVICES_TO_ALLOCATE)).isEmpty();
    assertThat(annotation("p1", VgpuAnnotations.VGPU_TIME)).isEqualTo("18446744073709551615");
    assertThat(annotation("p1", VgpuAnnotations.VGPU_IDS_NEW)).isEqualTo("GPU-aaa,NVIDIA,3000,50:");
    assertThat(pods.nodeLocked(NODE)).isFalse();
    assertThat(pods.listedNodes()).as("found through the node's pod watch, no LIST").isEmpty();
  }

  @Test
  void podNotYetInTheWatchIsFoundByListingThePendingPodsOfThisNode() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,3000,50:").container(gpu("main", 1)).build());
    pods.watchShows(List.of());

    ContainerAllocateResponse r = allocateOne(handler(), "GPU-aaa-0");

    assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-aaa");
    assertThat(pods.listedNodes()).containsExactly(NODE);
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void watchStillShowingAConsumedEntryNeverHandsItOutAgain() {
    // regression guard for the cache: container c1's entry was consumed, the watch has not seen the patch yet
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:;GPU-bbb,NVIDIA,2000,0:")
        .container(gpu("c1", 1)).container(gpu("c2", 1)).build());
    PodSnapshot before = pods.get("ns", "p1");
    VgpuAllocationHandler handler = handler();
    allocateOne(handler, "GPU-aaa-0");
    pods.watchShows(List.of(before));

    assertThatThrownBy(() -> allocateOne(handler, "GPU-aaa-0"))
        .isInstanceOfSatisfying(AllocationException.class,
            e -> assertThat(e.getMessage()).contains("device number not matched"));
    assertThat(annotation("p1", VgpuAnnotations.DEVICES_TO_ALLOCATE))
        .as("the stale read cost a conflict and a LIST, and c2's entry is what the API server says is next")
        .isEqualTo(";GPU-bbb,NVIDIA,2000,0:");
    assertThat(pods.listedNodes()).containsExactly(NODE);
  }

  @Test
  void watchShowingAnOlderVersionRetriesAgainstTheApiServerAndAllocatesTheNextEntry() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:;GPU-bbb,NVIDIA,2000,0:")
        .container(gpu("c1", 1)).container(gpu("c2", 1)).build());
    PodSnapshot before = pods.get("ns", "p1");
    VgpuAllocationHandler handler = handler();
    allocateOne(handler, "GPU-aaa-0");
    pods.watchShows(List.of(before));

    ContainerAllocateResponse second = allocateOne(handler, "GPU-bbb-0");

    assertThat(second.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_c2.cache");
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void expectedCardsAreThoseOfTheEntryTheNextAllocateConsumes() {
    pods.put(pod("p1", "GPU-bbb,NVIDIA,1000,0:;GPU-ccc,NVIDIA,2000,0:GPU-aaa,NVIDIA,2000,0:")
        .container(gpu("c1", 1)).container(gpu("c2", 2)).build());
    VgpuAllocationHandler handler = handler();

    assertThat(handler.expectedCards(COUNT, 1)).containsExactly("GPU-bbb");
    assertThat(handler.expectedCards(COUNT, 2)).as("no pod's next entry has two cards yet").isEmpty();
    allocateOne(handler, "GPU-bbb-7");
    assertThat(handler.expectedCards(COUNT, 2)).containsExactly("GPU-ccc", "GPU-aaa");
    assertThat(handler.expectedCards("volcano.sh/vgpu-memory", 2)).isEmpty();
    pods.watchShows(List.of());
    assertThat(handler.expectedCards(COUNT, 2)).as("not in the watch yet: listed").containsExactly("GPU-ccc",
        "GPU-aaa");
    pods.failLists(new PodSourceException(PodSourceException.Kind.UNAVAILABLE, "down"));
    assertThat(handler.expectedCards(COUNT, 2)).isEmpty();
  }

  @Test
  void nodeLockIsReleasedOnTheGivenExecutorNotBeforeAllocateReturns() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,3000,50:").container(gpu("main", 1)).build());
    pods.lockNode(NODE, "2026-11-28T18:00:00Z");
    List<Runnable> queued = new ArrayList<>();
    VgpuAllocationHandler handler = new VgpuAllocationHandler(settings(1, 1.0, false), pods, queued::add);

    allocateOne(handler, "GPU-aaa-0");

    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(pods.nodeLocked(NODE)).isTrue();
    assertThat(queued).hasSize(1);
    queued.get(0).run();
    assertThat(pods.nodeLocked(NODE)).isFalse();
  }

  @Test
  void nodeLockIsReleasedInPlaceWhenTheReleaseExecutorIsShutDown() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,3000,50:").container(gpu("main", 1)).build());
    pods.lockNode(NODE, "2026-11-28T18:00:00Z");
    java.util.concurrent.ExecutorService stopped = java.util.concurrent.Executors.newSingleThreadExecutor();
    stopped.shutdown();

    allocateOne(new VgpuAllocationHandler(settings(1, 1.0, false), pods, stopped), "GPU-aaa-0");

    assertThat(pods.nodeLocked(NODE)).isFalse();
  }

  @Test
  void multiGpuContainerGetsOneMemoryLimitPerCardInAnnotationOrderScaledByTheMemoryFactor() {
    pods.put(pod("p1", "GPU-bbb,NVIDIA,2000,30:GPU-aaa,NVIDIA,4000,30:").container(gpu("main", 2)).build());
    VgpuAllocationHandler handler = new VgpuAllocationHandler(settings(2, 1.0, false), pods);

    ContainerAllocateResponse r = allocateOne(handler, "GPU-aaa-0", "GPU-bbb-1");

    assertThat(r.getEnvsMap()).contains(
        entry("NVIDIA_VISIBLE_DEVICES", "GPU-bbb,GPU-aaa"),
        entry("CUDA_DEVICE_MEMORY_LIMIT_0", "4000m"),
        entry("CUDA_DEVICE_MEMORY_LIMIT_1", "8000m"),
        entry("CUDA_DEVICE_SM_LIMIT", "30"));
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void coreScalingAboveOneOversubscribesAndDisableCoreLimitSetsThePolicy() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:").container(gpu("main", 1)).build());
    VgpuAllocationHandler handler = new VgpuAllocationHandler(settings(1, 2.0, true), pods);

    ContainerAllocateResponse r = allocateOne(handler, "GPU-aaa-0");

    assertThat(r.getEnvsMap()).contains(
        entry("CUDA_OVERSUBSCRIBE", "true"), entry("GPU_CORE_UTILIZATION_POLICY", "disable"));
  }

  @Test
  void defaultSettingsSetNeitherOversubscribeNorCorePolicy() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:").container(gpu("main", 1)).build());

    ContainerAllocateResponse r = allocateOne(handler(), "GPU-aaa-0");

    assertThat(r.getEnvsMap()).doesNotContainKeys("CUDA_OVERSUBSCRIBE", "GPU_CORE_UTILIZATION_POLICY");
  }

  @Test
  void configuredCorePolicyIsPassedWhenCoreLimitsAreOn() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:").container(gpu("main", 1)).build());
    AllocationSettings s = settings(1, 1.0, false);
    AllocationSettings force = new AllocationSettings(s.resources(), 1, 1.0, false, "force", s.hookPath(),
        s.nodeName(), s.cacheRoot(), s.lockDir());

    ContainerAllocateResponse r = allocateOne(new VgpuAllocationHandler(force, pods), "GPU-aaa-0");

    assertThat(r.getEnvsMap()).containsEntry("GPU_CORE_UTILIZATION_POLICY", "force");
  }

  @Test
  void containerWithCudaDisableControlGetsNoLdSoPreload() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:")
        .container(new PodSnapshot.Container("main", Map.of(COUNT, "1"), Set.of("CUDA_DISABLE_CONTROL")))
        .build());

    ContainerAllocateResponse r = allocateOne(handler(), "GPU-aaa-0");

    assertThat(r.getMountsList()).extracting(Mount::getContainerPath)
        .containsExactly("/usr/local/vgpu/libvgpu.so", "/tmp/vgpu", "/tmp/vgpulock", "/etc/vgpu/limits");
  }

  /** Regression (container index bug): entry 0 is the first GPU container, not spec container 0. */
  @Test
  void entryMapsToTheGpuContainerWhenANonGpuContainerComesFirst() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:")
        .container(plain("sidecar"))
        .container(gpu("worker", 1))
        .build());

    ContainerAllocateResponse r = allocateOne(handler(), "GPU-aaa-0");

    assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_worker.cache");
    assertThat(r.getMountsList()).contains(mount("/tmp/vgpu", hook.resolve("vgpu/containers/uid-p1_worker"), false));
    assertThat(hook.resolve("vgpu/containers/uid-p1_sidecar")).doesNotExist();
  }

  /** Regression: init containers never get devices, even when they carry vGPU limits. */
  @Test
  void initContainersAreSkipped() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:")
        .init(gpu("setup", 1))
        .container(gpu("main", 1))
        .build());

    ContainerAllocateResponse r = allocateOne(handler(), "GPU-aaa-0");

    assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_main.cache");
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void memoryOnlyContainerCountsAsAGpuContainer() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:;GPU-bbb,NVIDIA,1000,0:")
        .container(new PodSnapshot.Container("mem", Map.of("volcano.sh/vgpu-memory", "1000"), Set.of()))
        .container(new PodSnapshot.Container("zero", Map.of(COUNT, "0"), Set.of()))
        .container(gpu("second", 1))
        .build());

    VgpuAllocationHandler handler = handler();
    assertThat(allocateOne(handler, "GPU-aaa-0").getEnvsMap())
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_mem.cache");
    assertThat(allocateOne(handler, "GPU-bbb-0").getEnvsMap())
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_second.cache");
  }

  @Test
  void multiContainerPodIsAllocatedContainerByContainerAndSucceedsAfterTheLast() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:;GPU-bbb,NVIDIA,2000,0:")
        .container(plain("log"))
        .container(gpu("c1", 1))
        .container(gpu("c2", 1))
        .build());
    pods.lockNode(NODE, "2026-11-28T18:00:00Z");
    VgpuAllocationHandler handler = handler();

    ContainerAllocateResponse first = allocateOne(handler, "GPU-aaa-0");

    assertThat(first.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-aaa")
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_c1.cache");
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("allocating");
    assertThat(annotation("p1", VgpuAnnotations.DEVICES_TO_ALLOCATE)).isEqualTo(";GPU-bbb,NVIDIA,2000,0:");
    assertThat(pods.nodeLocked(NODE)).isTrue();

    ContainerAllocateResponse second = allocateOne(handler, "GPU-bbb-4");

    assertThat(second.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-bbb")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "2000m")
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_c2.cache");
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(annotation("p1", VgpuAnnotations.DEVICES_TO_ALLOCATE)).isEqualTo(";");
    assertThat(pods.nodeLocked(NODE)).isFalse();
  }

  @Test
  void twoContainerRequestsInOneAllocateAreAnsweredInOrder() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:;GPU-bbb,NVIDIA,2000,0:GPU-ccc,NVIDIA,2000,0:")
        .container(gpu("c1", 1))
        .container(gpu("c2", 2))
        .build());

    @SuppressWarnings("unchecked")
    AllocateResponse response = handler().allocate(COUNT,
        request(List.of("GPU-aaa-1"), List.of("GPU-ccc-0", "GPU-bbb-0")));

    assertThat(response.getContainerResponsesList()).extracting(r -> r.getEnvsMap().get("NVIDIA_VISIBLE_DEVICES"))
        .containsExactly("GPU-aaa", "GPU-bbb,GPU-ccc");
    assertThat(response.getContainerResponses(1).getEnvsMap())
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_c2.cache");
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  /** Regression (#159): a Running pod whose annotations still say allocating is never picked again. */
  @Test
  void runningPodIsNotReselected() {
    pods.put(pod("running", "GPU-aaa,NVIDIA,1000,0:").annotation(VgpuAnnotations.VGPU_TIME, "10")
        .phase("Running").container(gpu("main", 1)).build());
    pods.put(pod("pending", "GPU-aaa,NVIDIA,1000,0:").annotation(VgpuAnnotations.VGPU_TIME, "20")
        .container(gpu("main", 1)).build());
    VgpuAllocationHandler handler = handler();

    assertThat(allocateOne(handler, "GPU-aaa-0").getEnvsMap())
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-pending_main.cache");
    assertThatThrownBy(() -> allocateOne(handler, "GPU-aaa-1"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getMessage()).contains("no pending pod found on node " + NODE);
        });
    assertThat(annotation("running", VgpuAnnotations.DEVICES_TO_ALLOCATE)).isEqualTo("GPU-aaa,NVIDIA,1000,0:");
    assertThat(annotation("running", VgpuAnnotations.BIND_PHASE)).isEqualTo("allocating");
  }

  /** Regression (#52): pods annotated for, or bound to, another node are never consumed. */
  @Test
  void anotherNodesPodIsNotConsumed() {
    pods.put(pod("elsewhere", "GPU-aaa,NVIDIA,1000,0:").annotation(VgpuAnnotations.VGPU_NODE, "gpu-node-2")
        .annotation(VgpuAnnotations.VGPU_TIME, "1").container(gpu("main", 1)).build());
    pods.put(pod("bound-elsewhere", "GPU-aaa,NVIDIA,1000,0:").nodeName("gpu-node-2")
        .annotation(VgpuAnnotations.VGPU_TIME, "1").container(gpu("main", 1)).build());

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-aaa-0"))
        .isInstanceOfSatisfying(AllocationException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
    assertThat(annotation("elsewhere", VgpuAnnotations.DEVICES_TO_ALLOCATE)).isEqualTo("GPU-aaa,NVIDIA,1000,0:");
    assertThat(annotation("bound-elsewhere", VgpuAnnotations.DEVICES_TO_ALLOCATE))
        .isEqualTo("GPU-aaa,NVIDIA,1000,0:");
  }

  /** Regression (#138): every container of every pod gets its own cache dir; another pod's dir is never touched. */
  @Test
  void cacheDirIsPerContainerAndOtherPodsDirsSurvive() throws IOException {
    for (String p : List.of("p1", "p2")) {
      pods.put(pod(p, "GPU-aaa,NVIDIA,1000,0:;GPU-aaa,NVIDIA,1000,0:")
          .annotation(VgpuAnnotations.VGPU_TIME, p.equals("p1") ? "1" : "2")
          .container(gpu("a", 1)).container(gpu("b", 1)).build());
    }
    Path other = hook.resolve("vgpu/containers/uid-other_main");
    Files.createDirectories(other);
    Files.writeString(other.resolve("x.cache"), "in use");
    VgpuAllocationHandler handler = handler();

    List<String> caches = new ArrayList<>();
    List<String> hostDirs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ContainerAllocateResponse r = allocateOne(handler, "GPU-aaa-" + i);
      caches.add(r.getEnvsMap().get("CUDA_DEVICE_MEMORY_SHARED_CACHE"));
      hostDirs.add(r.getMountsList().stream().filter(m -> m.getContainerPath().equals("/tmp/vgpu")).findFirst()
          .orElseThrow().getHostPath());
    }

    assertThat(caches).containsExactly("/tmp/vgpu/uid-p1_a.cache", "/tmp/vgpu/uid-p1_b.cache",
        "/tmp/vgpu/uid-p2_a.cache", "/tmp/vgpu/uid-p2_b.cache");
    assertThat(hostDirs).doesNotHaveDuplicates().hasSize(4);
    assertThat(other.resolve("x.cache")).hasContent("in use");
  }

  @Test
  void deviceIdsOfCardsNotAssignedFailTheAllocateAndMarkThePodFailed() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:").container(gpu("main", 1)).build());
    pods.lockNode(NODE, "2026-11-28T18:00:00Z");

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-zzz-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getMessage()).contains("device number not matched", "GPU-zzz-0", "GPU-aaa", "ns/p1");
        });
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("failed");
    assertThat(annotation("p1", VgpuAnnotations.DEVICES_TO_ALLOCATE)).isEqualTo("GPU-aaa,NVIDIA,1000,0:");
    assertThat(pods.nodeLocked(NODE)).isFalse();
    assertThat(hook.resolve("vgpu/containers/uid-p1_main")).doesNotExist();
  }

  @Test
  void twoDevicesOfOneCardForATwoCardEntryAreRefused() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:GPU-bbb,NVIDIA,1000,0:").container(gpu("main", 2)).build());

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-aaa-0", "GPU-aaa-1"))
        .isInstanceOfSatisfying(AllocationException.class,
            e -> assertThat(e.getMessage()).contains("two devices of card GPU-aaa"));
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("failed");
  }

  @Test
  void moreGpuEntriesThanGpuContainersFailsWithAClearMessage() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:").container(plain("main")).build());

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-aaa-0"))
        .isInstanceOfSatisfying(AllocationException.class,
            e -> assertThat(e.getMessage()).contains("has 0 container(s) requesting volcano.sh/vgpu-number"));
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("failed");
  }

  /**
   * A request whose device count matches no waiting pod's next container is answered with what each candidate
   * expects; no pod is touched, since the request may be for another pod entirely.
   */
  @Test
  void deviceCountMatchingNoPodNamesWhatThePodsExpect() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:").container(gpu("main", 1)).build());

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-aaa-0", "GPU-bbb-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getMessage()).contains("expects 2 device(s)", "ns/p1 expects 1");
        });
    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("allocating");
  }

  @Test
  void oldestVgpuTimeIsServedFirstAndMissingTimeLast() {
    pods.put(pod("late", "GPU-aaa,NVIDIA,1000,0:").annotation(VgpuAnnotations.VGPU_TIME, "300")
        .container(gpu("main", 1)).build());
    pods.put(pod("none", "GPU-aaa,NVIDIA,1000,0:").withoutAnnotation(VgpuAnnotations.VGPU_TIME)
        .container(gpu("main", 1)).build());
    pods.put(pod("early", "GPU-aaa,NVIDIA,1000,0:").annotation(VgpuAnnotations.VGPU_TIME, "100")
        .container(gpu("main", 1)).build());
    pods.put(pod("garbage", "GPU-aaa,NVIDIA,1000,0:").annotation(VgpuAnnotations.VGPU_TIME, "soon")
        .container(gpu("main", 1)).build());
    VgpuAllocationHandler handler = handler();

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String cache = allocateOne(handler, "GPU-aaa-" + i).getEnvsMap().get("CUDA_DEVICE_MEMORY_SHARED_CACHE");
      order.add(cache.substring("/tmp/vgpu/uid-".length(), cache.indexOf('_')));
    }

    assertThat(order.subList(0, 2)).containsExactly("early", "late");
    assertThat(order.subList(2, 4)).containsExactlyInAnyOrder("none", "garbage");
  }

  @Test
  void memoryAndCoresResourcesGetOneEmptyResponsePerContainerWithoutApiCalls() {
    @SuppressWarnings("unchecked")
    AllocateRequest twoContainers = request(List.of("0-1"), List.of("0-2"));

    for (String resource : List.of("volcano.sh/vgpu-memory", "volcano.sh/vgpu-cores")) {
      AllocateResponse r = handler().allocate(resource, twoContainers);
      assertThat(r.getContainerResponsesList())
          .containsExactly(ContainerAllocateResponse.getDefaultInstance(),
              ContainerAllocateResponse.getDefaultInstance());
    }
    assertThat(pods.listedNodes()).isEmpty();
    assertThat(pods.watchedReads()).isZero();
  }

  @Test
  void unknownResourceIsRejected() {
    assertThatThrownBy(() -> handler().allocate("nvidia.com/gpu", request(List.of("x-0"))))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("nvidia.com/gpu is not served");
        });
  }

  @Test
  void unreachableApiServerFailsAllocateAsUnavailable() {
    pods.failLists(new PodSourceException(PodSourceException.Kind.UNAVAILABLE, "connection refused"));

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-aaa-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getMessage()).contains("cannot list the pending pods of node " + NODE, "connection refused");
        });
  }

  @Test
  void noPendingPodReleasesTheNodeLock() {
    pods.lockNode(NODE, "2026-11-28T18:00:00Z");

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-aaa-0")).isInstanceOf(AllocationException.class);
    assertThat(pods.nodeLocked(NODE)).isFalse();
  }

  @Test
  void podChangedConcurrentlyIsReadAgainAndTheOtherWritersChangeKept() {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,1000,0:").container(gpu("main", 1)).build());
    pods.beforeNextPatch(() -> pods.patchAnnotations(pods.get("ns", "p1"),
        Map.of("example.com/other", java.util.Optional.of("kept"))));

    allocateOne(handler(), "GPU-aaa-0");

    assertThat(annotation("p1", VgpuAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(annotation("p1", "example.com/other")).isEqualTo("kept");
  }

  @Test
  void migSlicesAreRefusedWithAClearMessage() {
    pods.put(pod("p1", "GPU-aaa[group2-3],NVIDIA,1000,0:").container(gpu("main", 1)).build());

    assertThatThrownBy(() -> allocateOne(handler(), "GPU-aaa-0"))
        .isInstanceOfSatisfying(AllocationException.class,
            e -> assertThat(e.getMessage()).contains("MIG slice GPU-aaa[group2-3]"));
  }

  private static Mount mount(String container, Path host, boolean readOnly) {
    return Mount.newBuilder().setContainerPath(container).setHostPath(host.toString()).setReadOnly(readOnly).build();
  }
}
