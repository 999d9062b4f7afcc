package io.github.volcanovgpu.plugin.vendor.vastai;

import java.util.List;

/** The Vastai driver as the device plugin needs it: the node's cards with their dies, and their health. */
public interface VastaiPort extends AutoCloseable {
  /**
   * One card and its dies.
   *
   * @param id the card's id (serial), unique on the node
   * @param dies the dies' ids, in die order
   * @param memoryMibPerDie memory of one die
   */
  record Card(String id, List<String> dies, long memoryMibPerDie, int numaNode) {
    public Card {
      dies = List.copyOf(dies);
    }
  }

  /** The node's cards in driver order. */
  List<Card> cards();

  /** Whether the card or die {@code id} works now. */
  boolean healthy(String id);

  @Override
  void close();
}
