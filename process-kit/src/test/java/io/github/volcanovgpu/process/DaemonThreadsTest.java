package io.github.volcanovgpu.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
  @Test
  void namedNumberedAndStartedThreadsAreDaemons() throws InterruptedException {
    ThreadFactory pool = DaemonThreads.numbered("worker-");
    Thread started = DaemonThreads.start("watcher", () -> {});
    started.join();

    assertThat(DaemonThreads.named("config-check").newThread(() -> {}).getName()).isEqualTo("config-check");
    assertThat(pool.newThread(() -> {}).getName()).isEqualTo("worker-1");
    assertThat(pool.newThread(() -> {})).matches(Thread::isDaemon).extracting(Thread::getName).isEqualTo("worker-2");
    assertThat(started.getName()).isEqualTo("watcher");
    assertThat(started.isDaemon()).isTrue();
  }
}
