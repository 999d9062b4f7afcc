package io.github.volcanovgpu.plugin.kubelet;

import io.github.volcanovgpu.contract.kubelet.DevicePluginConstants;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginGrpc;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginOptions;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Empty;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ListAndWatchResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.RegisterRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.RegistrationGrpc;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A fake kubelet on {@code <dir>/kubelet.sock} behaving like the real one: on Register it dials back
 * {@code <dir>/<endpoint>}, calls GetDevicePluginOptions, answers, then consumes ListAndWatch in the background.
 * {@link #restart()} stops, wipes every socket in the directory and listens again.
 */
public final class TestKubelet implements AutoCloseable {
  /**
   * The largest message the kubelet takes from a plugin: grpc-go's default receive limit, which the kubelet's
   * device-plugin client keeps. A larger ListAndWatch list ends the stream, as it does on a real node.
   */
  public static final int MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

  private final Path dir;
  private final UnixTransport transport = new UnixTransport();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, List<Device>> lists = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> registrations = new ConcurrentHashMap<>();
  private final Map<String, String> endpoints = new ConcurrentHashMap<>();
  private final Map<String, DevicePluginOptions> options = new ConcurrentHashMap<>();
  private final AtomicInteger streamEnds = new AtomicInteger();
  /** Registrations still to refuse with UNAVAILABLE, like a kubelet whose device manager is not serving yet. */
  private final AtomicInteger refuseNext = new AtomicInteger();
  private @Nullable Server server;

  public TestKubelet(Path dir) {
    this.dir = dir;
  }

  public TestKubelet start() throws IOException {
    server = transport.server(dir.resolve("kubelet.sock"), new Registration()).start();
    return this;
  }

  /** Like a kubelet restart: stop, delete every socket in the directory, listen again. */
  public void restart() throws IOException, InterruptedException {
    restart(Duration.ZERO);
  }

  /**
   * A kubelet restart as the real kubelet 1.36 does it when it starts slowly: it wipes the directory, then takes
   * {@code startup} before it creates {@code kubelet.sock} (so a plugin sees the deletions and the creation as two
   * separate directory events).
   */
  public void restart(Duration startup) throws IOException, InterruptedException {
    stop();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        if (!Files.isDirectory(p)) {
          Files.deleteIfExists(p);
        }
      }
    }
    Thread.sleep(startup.toMillis());
    start();
  }

  private void stop() throws InterruptedException {
    Server s = server;
    if (s != null) {
      s.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      server = null;
    }
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  /** Refuses the next {@code n} Register calls with UNAVAILABLE (a kubelet still starting). */
  public void refuseNextRegistrations(int n) {
    refuseNext.set(n);
  }

  public int registrations(String resource) {
    AtomicInteger n = registrations.get(resource);
    return n == null ? 0 : n.get();
  }

  /** How many ListAndWatch streams ended (plugin stopped them or the channel went away). */
  public int streamEnds() {
    return streamEnds.get();
  }

  public @Nullable String endpoint(String resource) {
    return endpoints.get(resource);
  }

  public @Nullable DevicePluginOptions options(String resource) {
    return options.get(resource);
  }

  /** Whether the plugin of {@code resource} streamed a list (possibly empty) that this kubelet took. */
  public boolean hasList(String resource) {
    return lists.containsKey(resource);
  }

  /** The last list the plugin streamed for {@code resource}; empty before the first. */
  public List<Device> devices(String resource) {
    return lists.getOrDefault(resource, List.of());
  }

  public AllocateResponse allocate(String resource, AllocateRequest request) {
    return DevicePluginGrpc.newBlockingStub(channel(resource))
        .withDeadlineAfter(5, TimeUnit.SECONDS).allocate(request);
  }

  public PreferredAllocationResponse preferred(String resource, PreferredAllocationRequest request) {
    return DevicePluginGrpc.newBlockingStub(channel(resource))
        .withDeadlineAfter(5, TimeUnit.SECONDS).getPreferredAllocation(request);
  }

  private ManagedChannel channel(String resource) {
    ManagedChannel c = channels.get(resource);
    if (c == null) {
      throw new IllegalStateException(resource + " is not registered");
    }
    return c;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    transport.close();
  }

  private final class Registration extends RegistrationGrpc.RegistrationImplBase {
    @Override
    public void register(RegisterRequest request,
        StreamObserver<io.github.volcanovgpu.proto.kubelet.v1beta1.Empty> out) {
      if (!DevicePluginConstants.SUPPORTED_VERSIONS.contains(request.getVersion())) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("unsupported version " + request.getVersion())
            .asRuntimeException());
        return;
      }
      if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        out.onError(Status.UNAVAILABLE.withDescription("device manager not serving yet").asRuntimeException());
        return;
      }
      String resource = request.getResourceName();
      ManagedChannel channel = transport.channel(dir.resolve(request.getEndpoint()), MAX_RECEIVE_BYTES);
      DevicePluginOptions opts;
      try {
        opts = DevicePluginGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .getDevicePluginOptions(Empty.getDefaultInstance());
      } catch (RuntimeException e) {
        channel.shutdownNow();
        out.onError(Status.UNAVAILABLE.withDescription("cannot reach plugin: " + e.getMessage())
            .asRuntimeException());
        return;
      }
      ManagedChannel old = channels.put(resource, channel);
      if (old != null) {
        old.shutdownNow();
      }
      options.put(resource, opts);
      endpoints.put(resource, request.getEndpoint());
      registrations.computeIfAbsent(resource, k -> new AtomicInteger()).incrementAndGet();
      out.onNext(Empty.getDefaultInstance());
      out.onCompleted();
      // like the kubelet's background goroutine: not bound to the (finished) Register call's context
      Context.ROOT.run(() -> watch(resource, channel));
    }

    private void watch(String resource, ManagedChannel channel) {
      DevicePluginGrpc.newStub(channel).listAndWatch(Empty.getDefaultInstance(),
          new StreamObserver<ListAndWatchResponse>() {
            @Override
            public void onNext(ListAndWatchResponse value) {
              lists.put(resource, List.copyOf(value.getDevicesList()));
            }

            @Override
            public void onError(Throwable t) {
              streamEnds.incrementAndGet();
            }

            @Override
            public void onCompleted() {
              streamEnds.incrementAndGet();
            }
          });
    }
  }
}
