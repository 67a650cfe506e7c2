package dev.memdb.internal.arena;

import dev.memdb.IndexTooLargeException;
import dev.memdb.internal.arena.BlockAllocator.Block;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An arena that keeps everything in one block: when the block is full, the writer copies it into
 * one at least twice as large, so offsets stay valid across the move. It holds the tree's nodes.
 *
 * <p>Why one block: a reader walking the tree then uses one segment for the whole walk, and the JIT
 * checks its bounds and liveness once per walk instead of once per node hop (a sequential lookup in
 * a million-node tree took about 40 % less time than over a table of blocks). The price is the copy
 * (each byte is copied about once on average) and a transient old-plus-new footprint during it.
 *
 * <p><b>Publication.</b> The block is published with a release store and read with {@link
 * #segmentAcquire()}: a reader that sees a block sees it fully copied. After publishing a moved
 * block and before the first store into it, the writer runs {@code relocated}, which must make
 * every read that started on the old block fail its final validation: the old block stops receiving
 * writes and is freed (or pooled and reused) once the write that moved it succeeded ({@link
 * #settle()}).
 *
 * <p><b>Ownership.</b> {@code published} is read by any thread (acquire); every other field is
 * writer-only (the thread holding the buffer's write lock); the byte count is volatile.
 */
public final class SingleBlockArena {
  private static final VarHandle PUBLISHED;

  static {
    try {
      PUBLISHED =
          MethodHandles.lookup()
              .findVarHandle(SingleBlockArena.class, "published", MemorySegment.class)
              .withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Every allocation starts on this boundary. */
  public static final long ALIGNMENT = BlockAllocator.BLOCK_ALIGNMENT;

  /** {@link #mark()} of an arena that holds no block. */
  public static final long NO_BLOCK = -1;

  private final BlockLedger ledger; // immutable
  private final long initialBlockSize; // immutable
  private final long maxBytes; // immutable
  private final Runnable relocated; // immutable

  /** The block readers use; null while the arena is empty. Any thread, through PUBLISHED. */
  @SuppressWarnings("unused") // accessed through PUBLISHED
  private MemorySegment published;

  // Writer-only.
  private Block block;
  private MemorySegment segment;
  private long used;

  /** The block the last move left, kept until {@link #settle()} so a failed write can move back. */
  private Block previous;

  /**
   * Creates an empty arena; it allocates nothing until the first allocation.
   *
   * @param name the arena's name, for messages and events
   * @param allocator where blocks come from
   * @param initialBlockSize size of the first block
   * @param maxBytes the largest block it may grow to; at most {@link
   *     IndexTooLargeException#MAX_INDEX_BYTES}
   * @param listener told of every block allocated or freed
   * @param relocated run after each move, before the writer stores into the new block
   */
  public SingleBlockArena(
      String name,
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBytes,
      ArenaListener listener,
      Runnable relocated) {
    if (maxBytes > IndexTooLargeException.MAX_INDEX_BYTES || maxBytes < initialBlockSize) {
      throw new IllegalArgumentException("bad node block limit " + maxBytes);
    }
    this.ledger = new BlockLedger(name, allocator, listener);
    this.initialBlockSize = initialBlockSize;
    this.maxBytes = maxBytes;
    this.relocated = relocated;
  }

  /**
   * Reader: the block every offset of this arena lies in, as published.
   *
   * @return the block, or null while the arena is empty
   */
  public MemorySegment segmentAcquire() {
    return (MemorySegment) PUBLISHED.getAcquire(this);
  }

  /**
   * Writer: the block. Valid until the next allocation or reset, which may move the arena.
   *
   * @return the block, or null while the arena is empty
   */
  public MemorySegment segmentPlain() {
    return segment;
  }

  /**
   * Writer: allocates {@code size} bytes, moving the arena into a larger block if it is full.
   *
   * @param size bytes, {@code > 0}
   * @return the byte offset of the first byte, a multiple of {@link #ALIGNMENT}
   * @throws IndexTooLargeException if the block would have to grow past its limit (nothing changed)
   * @throws OutOfMemoryError if a new block could not be had (nothing changed)
   */
  public long allocate(long size) {
    long start = (used + ALIGNMENT - 1) & -ALIGNMENT;
    long need = start + size;
    if (segment == null || need > segment.byteSize()) {
      grow(need);
    }
    used = need;
    return start;
  }

  private void grow(long need) {
    if (need > maxBytes) {
      throw new IndexTooLargeException(maxBytes, need);
    }
    long size = segment == null ? initialBlockSize : segment.byteSize() << 1;
    while (size < need) {
      size <<= 1;
    }
    size = Math.min(size, maxBytes);
    settle();
    Block fresh = ledger.allocate(size);
    Block old = block;
    if (old != null) {
      MemorySegment.copy(old.segment(), 0, fresh.segment(), 0, used);
    }
    publish(fresh);
    previous = old;
  }

  private void publish(Block b) {
    block = b;
    segment = b == null ? null : b.segment();
    PUBLISHED.setRelease(this, segment);
    if (b != null) {
      relocated.run();
    }
  }

  /** Writer: the write that may have moved the arena succeeded; frees the block it left. */
  public void settle() {
    Block old = previous;
    if (old != null) {
      previous = null;
      ledger.free(old);
    }
  }

  /**
   * Writer: the current position, for {@link #rollback(long)}.
   *
   * @return the bytes used, or {@link #NO_BLOCK}
   */
  public long mark() {
    return block == null ? NO_BLOCK : used;
  }

  /**
   * Writer: undoes the allocations of a write that failed, back to a mark taken before it: moves
   * back to the block a move left (it still holds everything as it was) and frees a block the write
   * made. Allocates nothing, so it cannot fail.
   *
   * @param mark a {@link #mark()} taken before the failed write's allocations
   */
  public void rollback(long mark) {
    if (previous != null) {
      Block moved = block;
      Block back = previous;
      previous = null;
      publish(back);
      ledger.free(moved);
    }
    if (mark == NO_BLOCK) {
      freeAll();
    } else {
      used = mark;
    }
  }

  /** Writer: frees the block; the arena is empty again. */
  public void reset() {
    settle();
    freeAll();
  }

  private void freeAll() {
    Block b = block;
    publish(null);
    used = 0;
    if (b != null) {
      ledger.free(b);
    }
  }

  /**
   * Writer: the bytes handed out.
   *
   * @return bytes used, padding included
   */
  public long used() {
    return used;
  }

  /**
   * Returns the bytes allocated from the operating system. Any thread.
   *
   * @return the block's size (both blocks' during a write that moved the arena)
   */
  public long bytesAllocated() {
    return ledger.bytesAllocated();
  }

  /**
   * Writer: counts blocks and bytes.
   *
   * @return one block (or none), its size, the bytes used and no waste
   */
  public ArenaUsage usage() {
    return block == null
        ? new ArenaUsage(0, 0, 0, 0)
        : new ArenaUsage(1, segment.byteSize(), used, 0);
  }
}
