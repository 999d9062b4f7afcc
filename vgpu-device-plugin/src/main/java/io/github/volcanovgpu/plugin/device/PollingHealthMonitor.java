package io.github.volcanovgpu.plugin.device;

import io.github.volcanovgpu.process.DaemonThreads;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health of a kind whose driver is polled rather than evented (Ascend DCMI's {@code dcmi_get_device_health}, a fake
 * machine): every {@code interval} the probe reads each device's state, and a change (healthy to faulty or back) is
 * delivered as a {@link HealthEvent#fault} or {@link HealthEvent#recovered} to every listener, on the polling
 * thread. Devices start healthy; a listener that joins later (the plugin restarted for a new configuration) is told
 * the faults that stand. The thread starts with the first listener and stops on {@link #close()}. Thread-safe.
 */
public final class PollingHealthMonitor implements HealthMonitor, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PollingHealthMonitor.class);

  /** Reads every device's state now: device UUID to a fault description, empty when the device is healthy. */
  @FunctionalInterface
  public interface Probe {
    Map<String, Optional<String>> read();
  }

  private final String name;
  private final Probe probe;
  private final Duration interval;
  private final Clock clock;
  private final List<Consumer<HealthEvent>> listeners = new CopyOnWriteArrayList<>();
  /** Device UUID to its standing fault, for the devices last read faulty. */
  private final Map<String, String> faults = new HashMap<>();
  private final Map<String, Boolean> healthy = new HashMap<>();
  private @Nullable Thread thread;
  private @Nullable String lastFailure;
  private long polls;
  private volatile boolean closed;

  /**
   * @param name the thread's name, e.g. {@code dcmi-health}
   * @param interval how often to poll; zero: never on its own ({@link #pollOnce()} only)
   */
  public PollingHealthMonitor(String name, Probe probe, Duration interval, Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("health poll interval must not be negative, got " + interval);
    }
  }

  @Override
  public synchronized void watchHealth(Consumer<HealthEvent> listener) {
    if (!listeners.contains(listener)) {
      listeners.add(listener);
      faults.forEach((uuid, fault) -> listener.accept(HealthEvent.fault(uuid, fault, clock.instant())));
    }
    if (thread == null && !interval.isZero() && !closed) {
      thread = DaemonThreads.start(name, this::loop);
    }
  }

  /**
   * Reads the probe once and delivers the changes (the polling thread's step; tests call it directly).
   *
   * @return the events delivered
   */
  public synchronized List<HealthEvent> pollOnce() {
    Map<String, Optional<String>> now;
    try {
      now = probe.read();
    } catch (RuntimeException e) {
      if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
        LOG.warn("{}: cannot read device health, keeping the last known state: {}", name, e.getMessage());
        lastFailure = String.valueOf(e.getMessage());
      }
      polls++;
      return List.of();
    }
    lastFailure = null;
    List<HealthEvent> events = new java.util.ArrayList<>();
    now.forEach((uuid, fault) -> {
      boolean ok = fault.isEmpty();
      if (ok) {
        faults.remove(uuid);
      } else {
        faults.put(uuid, fault.get());
      }
      Boolean was = healthy.put(uuid, ok);
      if (was == null ? !ok : was != ok) {
        events.add(ok ? HealthEvent.recovered(uuid, "healthy again", clock.instant())
            : HealthEvent.fault(uuid, fault.get(), clock.instant()));
      }
    });
    polls++;
    for (HealthEvent e : events) {
      for (Consumer<HealthEvent> l : listeners) {
        l.accept(e);
      }
    }
    return events;
  }

  /** How many polls completed (also those that could not read the probe): proof a poll ran after a change. */
  public synchronized long polls() {
    return polls;
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (!closed) {
        pollOnce();
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    listeners.clear();
    if (thread != null) {
      thread.interrupt();
    }
  }
}
