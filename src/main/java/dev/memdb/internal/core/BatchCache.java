package dev.memdb.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The read-ahead buffers ({@link CursorBatch}es) of the last iterator closed or exhausted on a
 * buffer, kept for the next iterator opened on it. Opening iterators in a loop (a range scan per
 * statement) then allocates a cursor object and nothing else: growing a fresh pair of batches cost
 * more than a 100-entry scan itself. One pair is kept; iterators open at the same time make their
 * own. Any thread may take or give: the slot is swapped atomically.
 */
final class BatchCache {
  private static final VarHandle SLOT;

  static {
    try {
      SLOT =
          MethodHandles.lookup()
              .findVarHandle(BatchCache.class, "slot", CursorBatch.class)
              .withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A batch grown past this (a pass over large values) is left to the garbage collector. */
  private static final long KEEP_BYTES = 64 * 1024;

  /** The spare pair: a batch and, through {@link CursorBatch#pair}, its partner. */
  @SuppressWarnings("unused") // accessed through SLOT
  private CursorBatch slot;

  /**
   * Takes the spare pair, or makes one.
   *
   * @return a batch whose {@link CursorBatch#pair} is the other batch of the pair
   */
  CursorBatch take() {
    CursorBatch b = (CursorBatch) SLOT.getAndSet(this, (CursorBatch) null);
    return b != null ? b : CursorBatch.newPair();
  }

  /**
   * Gives back a pair no iterator uses any more.
   *
   * @param b a batch taken from {@link #take()} (or its partner)
   */
  void give(CursorBatch b) {
    if (b.retainedBytes() + b.pair.retainedBytes() <= KEEP_BYTES) {
      SLOT.setRelease(this, b);
    }
  }
}
