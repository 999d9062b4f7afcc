package io.github.volcanovgpu.plugin.kubelet;

import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Current health per device UUID (every kind's devices of the node), fed by the backends' {@link HealthEvent}s
 * through a {@link HealthPolicy} (XID events by its lists, other faults always while checks are on); listeners are
 * told after every change. Thread-safe.
 */
public final class HealthState {
  private static final Logger LOG = LoggerFactory.getLogger(HealthState.class);

  private final HealthPolicy policy;
  private final Map<String, DeviceHealth> health = new LinkedHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public HealthState(Collection<? extends PhysicalDevice> gpus, HealthPolicy policy) {
    this.policy = policy;
    for (PhysicalDevice g : gpus) {
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
    } else if (event.isFault()) {
      next = new DeviceHealth.Unhealthy(event.description(), event.at());
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
        LOG.warn("health event for unknown device {} ignored: {}", event.uuid(), event.description());
        return;
      }
    }
    if (changed) {
      LOG.warn("device {} is now {}", event.uuid().isEmpty() ? "(all)" : event.uuid(),
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
