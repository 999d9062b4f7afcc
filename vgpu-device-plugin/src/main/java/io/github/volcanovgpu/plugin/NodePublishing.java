package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.plugin.allocate.LeftoverCollector;
import io.github.volcanovgpu.plugin.allocate.NodePodWatch;
import io.github.volcanovgpu.plugin.device.NodeNotice;
import io.github.volcanovgpu.plugin.device.NodeRegistration;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.kubelet.HealthState;
import io.github.volcanovgpu.plugin.register.KubeNodeAnnotator;
import io.github.volcanovgpu.plugin.register.KubeNodeEvents;
import io.github.volcanovgpu.plugin.register.RegistrationPublisher;
import io.github.volcanovgpu.process.DaemonThreads;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a plugin start with an API server, on one named daemon thread: the kinds' notices recorded once
 * as Warning Events on the Node; each kind's node annotations published at once, every {@code interval} and on
 * every health change; and, with the node's pod watch, the leftovers of deleted pods (host directories, CDI specs)
 * collected every minute. Closing stops both.
 */
final class NodePublishing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodePublishing.class);
  /** How often leftovers of deleted pods are looked for. */
  private static final Duration LEFTOVER_INTERVAL = Duration.ofMinutes(1);

  private final ScheduledExecutorService executor;

  private NodePublishing(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  static NodePublishing start(String node, ApiClient client, List<NodeServing> served, HealthState health,
      Duration interval, Optional<NodePodWatch> watch, Clock clock) {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("node-registration"));
    List<Runnable> publishers = served.stream().flatMap(s -> s.registration().stream())
        .map(registration -> publisher(node, client, registration, health, clock)).toList();
    Runnable publishAll = () -> publishers.forEach(Runnable::run);
    KubeNodeEvents events = new KubeNodeEvents(client, clock);
    for (NodeNotice notice : served.stream().flatMap(s -> s.notices().stream()).toList()) {
      executor.execute(() -> {
        try {
          events.warning(node, notice.reason(), notice.message());
        } catch (RuntimeException e) {
          LOG.warn("event {} not recorded on node {}: {}", notice.reason(), node, e.getMessage());
        }
      });
    }
    executor.scheduleWithFixedDelay(publishAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    health.addListener(() -> executor.execute(publishAll));
    List<LeftoverCollector> collectors = served.stream().flatMap(s -> s.leftovers().stream()).toList();
    if (watch.isPresent() && !collectors.isEmpty()) {
      NodePodWatch pods = watch.get();
      executor.scheduleWithFixedDelay(() -> pods.podUids().ifPresent(live -> collect(collectors, live)),
          LEFTOVER_INTERVAL.toSeconds(), LEFTOVER_INTERVAL.toSeconds(), TimeUnit.SECONDS);
    }
    return new NodePublishing(executor);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private static Runnable publisher(String node, ApiClient client, NodeRegistration registration, HealthState health,
      Clock clock) {
    RegistrationPublisher reg = new RegistrationPublisher(node, new KubeNodeAnnotator(client),
        () -> registration.annotations(health.snapshot()), registration::heartbeat, clock);
    return () -> {
      try {
        reg.publish();
      } catch (RuntimeException e) {
        LOG.warn("node annotations not published (retrying): {}", e.getMessage());
      }
    };
  }

  private static void collect(List<LeftoverCollector> collectors, java.util.Set<String> livePods) {
    for (LeftoverCollector c : collectors) {
      try {
        c.collect(livePods);
      } catch (RuntimeException e) {
        LOG.warn("cleaning up leftovers of deleted pods failed (retrying): {}", e.getMessage());
      }
    }
  }
}
