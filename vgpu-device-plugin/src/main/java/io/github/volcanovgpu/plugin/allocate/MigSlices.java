package io.github.volcanovgpu.plugin.allocate;

/**
 * Dynamic MIG for the Allocate path (node {@code operatingmode: mig}): turns a scheduled slice
 * {@code <GPU UUID>[<group>-<pos>]} into the MIG device it stands for, bringing the card to the group's layout first
 * when it is not there. Implemented over the mig-manager library ({@code plugin.mig.DynamicMigSlices}).
 */
@FunctionalInterface
public interface MigSlices {
  /**
   * The MIG device UUID ({@code MIG-...}) for {@code sliceId}.
   *
   * @throws MigSliceException when the layout cannot be applied (e.g. processes run on the card) or the position
   *     does not resolve
   */
  String resolve(String sliceId);

  /** The slice cannot be handed out; {@link #busy()} when a layout change was refused for running MIG clients. */
  final class MigSliceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean busy;

    public MigSliceException(String message, boolean busy, Throwable cause) {
      super(message, cause);
      this.busy = busy;
    }

    public boolean busy() {
      return busy;
    }
  }
}
