package io.github.volcanovgpu.mig.daemon;

import io.github.volcanovgpu.mig.gpu.MigPortException;
import io.github.volcanovgpu.mig.layout.MigConfigSpec;
import io.github.volcanovgpu.mig.reconcile.MigApplyException;
import io.github.volcanovgpu.mig.reconcile.MigReconciler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NVIDIA mig-manager's loop (reference deviceplugin-cdi-mig.md §3.4): watches the node label
 * {@code nvidia.com/mig.config} (a config name of the mig-parted file) and reports progress in
 * {@code nvidia.com/mig.config.state}: {@code pending} while applying, then {@code success} or {@code failed}.
 * A GPU with running processes is never reconfigured: the config fails and is retried on the next pass, so it
 * applies once the processes are gone. A value already applied is only asserted (nothing is touched).
 */
public final class MigConfigDaemon {
  public static final String CONFIG_LABEL = "nvidia.com/mig.config";
  public static final String STATE_LABEL = "nvidia.com/mig.config.state";
  public static final String PENDING = "pending";
  public static final String SUCCESS = "success";
  public static final String FAILED = "failed";

  private static final Logger LOG = LoggerFactory.getLogger(MigConfigDaemon.class);

  private final NodeLabels labels;
  private final MigConfigSpec spec;
  private final MigReconciler reconciler;
  private @Nullable String done;
  private @Nullable String failedFor;

  public MigConfigDaemon(NodeLabels labels, MigConfigSpec spec, MigReconciler reconciler) {
    this.labels = Objects.requireNonNull(labels, "labels");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
  }

  /** One pass; returns the state written, empty when there was nothing to do. */
  public Optional<String> reconcileOnce() {
    Map<String, String> current = labels.labels();
    String wanted = current.get(CONFIG_LABEL);
    if (wanted == null || wanted.isEmpty()) {
      return Optional.empty();
    }
    if (wanted.equals(done) && SUCCESS.equals(current.get(STATE_LABEL))) {
      return Optional.empty();
    }
    if (spec.config(wanted).isPresent() && reconciler.asserts(spec, wanted)) {
      failedFor = null;
      return finish(wanted, SUCCESS, current);
    }
    boolean retry = wanted.equals(failedFor);
    if (!retry) {
      labels.set(Map.of(STATE_LABEL, PENDING));
    }
    try {
      reconciler.apply(spec, wanted);
      LOG.info("MIG config {} applied", wanted);
      failedFor = null;
      return finish(wanted, SUCCESS, Map.of());
    } catch (MigApplyException | MigPortException e) {
      done = null;
      if (retry && FAILED.equals(current.get(STATE_LABEL))) {
        LOG.debug("MIG config {} still failing: {}", wanted, e.getMessage());
        return Optional.empty();
      }
      LOG.error("MIG config {} failed: {}", wanted, e.getMessage());
      failedFor = wanted;
      labels.set(Map.of(STATE_LABEL, FAILED));
      return Optional.of(FAILED);
    }
  }

  private Optional<String> finish(String wanted, String state, Map<String, String> current) {
    done = wanted;
    if (!state.equals(current.get(STATE_LABEL))) {
      labels.set(Map.of(STATE_LABEL, state));
      return Optional.of(state);
    }
    return Optional.empty();
  }

  /** Runs passes every {@code interval} until the thread is interrupted. Errors of one pass never end the loop. */
  public void run(Duration interval) {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        reconcileOnce();
      } catch (NodeLabels.NodeLabelException e) {
        LOG.warn("{}", e.getMessage());
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
