package io.github.volcanovgpu.plugin.kubelet;

import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.plugin.device.PhysicalGpu;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Current health per card UUID, fed by backend {@link HealthEvent}s through a {@link HealthPolicy}; listeners are
 * told after every change. Outlives plugin restarts. Thread-safe.
 */
public final class HealthState {
  private static final Logger LOG = LoggerFactory.getLogger(HealthState.class);

  private final HealthPolicy policy;
  private final Map<String, DeviceHealth> health = new LinkedHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public HealthState(Collection<PhysicalGpu> gpus, HealthPolicy policy) {
    this.policy = policy;
    for (PhysicalGpu g : gpus) {
      health.put(g.uuid(), DeviceHealth.HEALTHY);
    }
  }

  /** Applies one backend event; an empty UUID applies to every card. */
  public void apply(HealthEvent event) {
    if (!policy.enabled()) {
      return;
    }
    DeviceHealth next;
    if (event.isRecovery()) {
      next = DeviceHealth.HEALTHY;
    } else if (policy.isCritical(event.xid())) {
      next = new DeviceHealth.Unhealthy("XID " + event.xid() + ": " + event.description(), event.at());
    } else {
      LOG.info("ignoring XID {} on {} (application error or disabled): {}", event.xid(),
          event.uuid().isEmpty() ? "all cards" : event.uuid(), event.description());
      return;
    }
    boolean changed = false;
    synchronized (health) {
      if (event.uuid().isEmpty()) {
        for (Map.Entry<String, DeviceHealth> e : health.entrySet()) {
          changed |= e.getValue().isHealthy() != next.isHealthy();
          e.setValue(next);
        }
      } else if (health.containsKey(event.uuid())) {
        changed = health.get(event.uuid()).isHealthy() != next.isHealthy();
        health.put(event.uuid(), next);
      } else {
        LOG.warn("health event for unknown card {} ignored: XID {}", event.uuid(), event.xid());
        return;
      }
    }
    if (changed) {
      LOG.warn("card {} is now {}", event.uuid().isEmpty() ? "(all)" : event.uuid(),
          next.isHealthy() ? "Healthy" : "Unhealthy (" + ((DeviceHealth.Unhealthy) next).reason() + ")");
      listeners.forEach(Runnable::run);
    }
  }

  public boolean isHealthy(String uuid) {
    synchronized (health) {
      DeviceHealth h = health.get(uuid);
      return h == null || h.isHealthy();
    }
  }

  /** A snapshot: UUID → health, in registration order. */
  public Map<String, DeviceHealth> snapshot() {
    synchronized (health) {
      return Map.copyOf(new LinkedHashMap<>(health));
    }
  }

  public void addListener(Runnable listener) {
    listeners.add(listener);
  }

  public void removeListener(Runnable listener) {
    listeners.remove(listener);
  }
}
