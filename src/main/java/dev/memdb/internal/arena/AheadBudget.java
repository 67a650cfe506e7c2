package dev.memdb.internal.arena;

/**
 * The bytes one buffer may hold in blocks prepared ahead of need, shared by its two arenas.
 *
 * <p><b>Ownership.</b> Writer-only (the thread holding the buffer's write lock).
 */
public final class AheadBudget {
  /**
   * Blocks smaller than this are allocated when needed: zeroing and faulting one in costs under 1
   * ms even where a first touch costs 10 µs a page.
   */
  public static final long MIN_PREPARED_BLOCK = 256L << 10;

  private final long minBlock; // immutable
  private long remaining;

  /**
   * Creates a budget.
   *
   * @param bytes the most bytes held ahead at once; 0 turns preparation off
   */
  public AheadBudget(long bytes) {
    this(bytes, MIN_PREPARED_BLOCK);
  }

  /**
   * Creates a budget that also prepares small blocks (tests use it to move often).
   *
   * @param bytes the most bytes held ahead at once; 0 turns preparation off
   * @param minBlock the smallest block prepared ahead
   */
  public AheadBudget(long bytes, long minBlock) {
    if (bytes < 0 || minBlock < 1) {
      throw new IllegalArgumentException("bad budget " + bytes + " / " + minBlock);
    }
    this.remaining = bytes;
    this.minBlock = minBlock;
  }

  /**
   * A budget that prepares nothing, for a buffer of its own (never share it: it is writer-only).
   *
   * @return a new, empty budget
   */
  public static AheadBudget none() {
    return new AheadBudget(0);
  }

  /** Writer: takes {@code bytes} if the budget holds them. */
  boolean tryTake(long bytes) {
    if (bytes < minBlock || bytes > remaining) {
      return false;
    }
    remaining -= bytes;
    return true;
  }

  /** Writer: gives back bytes taken by {@link #tryTake(long)}. */
  void give(long bytes) {
    remaining += bytes;
  }
}
