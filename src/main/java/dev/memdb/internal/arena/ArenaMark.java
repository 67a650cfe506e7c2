package dev.memdb.internal.arena;

/**
 * A position in an arena: how many blocks it had, how much of the last one was used, and the block
 * size growth had reached. Truncating to a mark restores exactly that state.
 *
 * @param blocks number of blocks
 * @param offset used bytes of the last block (0 when there are no blocks)
 * @param blockSize the size the last enlargement chose (0 when there are no blocks)
 */
public record ArenaMark(int blocks, long offset, long blockSize) {
  /** The position of an empty arena, lower than every address. */
  public static final long EMPTY_POSITION = Address.of(-1, 0);

  /** The mark of an empty arena. */
  public static final ArenaMark EMPTY = new ArenaMark(0, 0, 0);

  /**
   * Returns the mark as one comparable number: an allocation that ends at an address {@code >} this
   * position was made after the mark.
   *
   * @return {@link #EMPTY_POSITION} or the address of the end of the last allocation
   */
  public long position() {
    return blocks == 0 ? EMPTY_POSITION : Address.of(blocks - 1, offset);
  }
}
