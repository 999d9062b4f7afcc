package io.github.volcanovgpu.plugin.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PollingHealthMonitorTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);
  private final AtomicReference<Map<String, Optional<String>>> state =
      new AtomicReference<>(Map.of("a", Optional.empty(), "b", Optional.empty()));

  @Test
  void onlyChangesAreDeliveredAsFaultsAndRecoveries() {
    List<HealthEvent> seen = new CopyOnWriteArrayList<>();
    PollingHealthMonitor m = new PollingHealthMonitor("t", state::get, Duration.ZERO, clock);
    m.watchHealth(seen::add);

    assertThat(m.pollOnce()).isEmpty();
    state.set(Map.of("a", Optional.empty(), "b", Optional.of("DCMI health 3 (critical alarm)")));
    assertThat(m.pollOnce()).singleElement().satisfies(e -> {
      assertThat(e.uuid()).isEqualTo("b");
      assertThat(e.isFault()).isTrue();
      assertThat(e.description()).isEqualTo("DCMI health 3 (critical alarm)");
    });
    assertThat(m.pollOnce()).as("still faulty: no new event").isEmpty();
    state.set(Map.of("a", Optional.empty(), "b", Optional.empty()));
    assertThat(m.pollOnce()).singleElement().satisfies(e -> assertThat(e.isRecovery()).isTrue());
    assertThat(seen).hasSize(2);
    assertThat(m.polls()).isEqualTo(4);
  }

  @Test
  void anUnreadableProbeKeepsTheLastStateAndCountsThePoll() {
    List<HealthEvent> seen = new CopyOnWriteArrayList<>();
    PollingHealthMonitor m = new PollingHealthMonitor("t", () -> {
      throw new IllegalStateException("DCMI dcmi_get_device_health failed with error -8005");
    }, Duration.ZERO, clock);
    m.watchHealth(seen::add);

    assertThat(m.pollOnce()).isEmpty();
    assertThat(m.polls()).isEqualTo(1);
    assertThat(seen).isEmpty();
  }

  @Test
  void aListenerJoiningLaterIsToldTheStandingFaults() {
    PollingHealthMonitor m = new PollingHealthMonitor("t", state::get, Duration.ZERO, clock);
    m.watchHealth(e -> {});
    state.set(Map.of("a", Optional.of("DCMI health 2 (major alarm)"), "b", Optional.empty()));
    m.pollOnce();

    List<HealthEvent> late = new CopyOnWriteArrayList<>();
    m.watchHealth(late::add);

    assertThat(late).singleElement().satisfies(e -> {
      assertThat(e.uuid()).isEqualTo("a");
      assertThat(e.isFault()).isTrue();
    });
  }
}
