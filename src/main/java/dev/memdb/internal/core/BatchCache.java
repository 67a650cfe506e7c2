package dev.memdb.internal.core;

/**
 * Per-thread spare {@link CursorBatch}es. An iterator takes two when it opens and gives them back
 * when it is closed or exhausted, so opening iterators in a loop (a range scan per statement)
 * allocates a cursor object and nothing else: without the cache, growing a fresh batch's arrays
 * cost more than the 100-entry scan itself.
 */
final class BatchCache {
  private static final ThreadLocal<BatchCache> PER_THREAD =
      ThreadLocal.withInitial(BatchCache::new);

  /** Spare batches kept per thread: enough for two iterators open at once. */
  private static final int KEEP = 4;

  /** A batch that grew past this (a pass over large values) is left to the garbage collector. */
  private static final long KEEP_BYTES = 64 * 1024;

  private final CursorBatch[] free = new CursorBatch[KEEP];
  private int size;

  private BatchCache() {}

  /** Returns this thread's cache. */
  static BatchCache current() {
    return PER_THREAD.get();
  }

  /** Takes a spare batch, or makes one. */
  CursorBatch take() {
    if (size == 0) {
      return new CursorBatch();
    }
    CursorBatch b = free[--size];
    free[size] = null;
    return b;
  }

  /** Gives back a batch no iterator uses any more. */
  void give(CursorBatch b) {
    if (size < KEEP && b.retainedBytes() <= KEEP_BYTES) {
      free[size++] = b;
    }
  }
}
