package io.github.volcanovgpu.bridge.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void nodeLockBackoffWaits100To800MillisecondsBetweenFiveAttempts() {
    assertThat(Backoff.NODE_LOCK.steps()).isEqualTo(5);
    assertThat(Backoff.NODE_LOCK.nominalDelays())
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
            Duration.ofMillis(800));
  }

  @Test
  void jitterAddsUpToHalfOfTheNominalDelay() {
    assertThat(Backoff.NODE_LOCK.delayAfter(1, 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(Backoff.NODE_LOCK.delayAfter(1, 0.5)).isEqualTo(Duration.ofMillis(125));
    assertThat(Backoff.NODE_LOCK.delayAfter(4, 0.999)).isBetween(Duration.ofMillis(1199), Duration.ofMillis(1200));
  }

  @Test
  void worstCaseTotalWaitIsAbout2250Milliseconds() {
    Duration total = Duration.ZERO;
    for (int attempt = 1; attempt < Backoff.NODE_LOCK.steps(); attempt++) {
      total = total.plus(Backoff.NODE_LOCK.delayAfter(attempt, 0.999_999));
    }
    assertThat(total).isBetween(Duration.ofMillis(2249), Duration.ofMillis(2250));
  }

  @Test
  void noDelayExistsAfterTheLastAttempt() {
    assertThatThrownBy(() -> Backoff.NODE_LOCK.delayAfter(5, 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attempt must be in 1..4");
  }

  @Test
  void invalidParametersAreRejected() {
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), 0.5, 0, 1)).hasMessageContaining("factor");
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), 1, -1, 1)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), 1, 0, 0)).hasMessageContaining("steps");
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(-1), 1, 0, 1)).hasMessageContaining("initial");
  }
}
