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
 * <p><b>The move, spread over writes.</b> With a non-empty {@link AheadBudget}, once a quarter of
 * the block is used the arena requests the next one from the {@link BlockPreparer}; once it is
 * ready and the block is 7/8 used ({@link #MOVE_ROOM_SHIFT}), every allocation copies the next
 * {@link #MOVE_STEP} bytes of the block into it, and every node the writer changes below the copied
 * mark is copied again when its change window closes ({@link #changed}); when the copy has caught
 * up with the used bytes, the next allocation publishes the new block. No write copies the whole
 * block, and readers see nothing of the move until the publication, the same one as a move in one
 * go. If the block fills up first (the prepared block came late), the write that needs the room
 * copies what is left.
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

  /**
   * Bytes one allocation copies into the block being moved to: about 20 µs of copying, and a 64 MiB
   * block moves in 1,024 allocations while it has room for a million more nodes.
   */
  static final long MOVE_STEP = 64 << 10;

  /**
   * The move starts when only 1/2^MOVE_ROOM_SHIFT of the block is left: the block is well used
   * before it is left (moving at half use would leave every node block half empty), and the room
   * left still holds the nodes of the whole move (a 64 MiB block copies 56 MiB in 896 steps; 8 MiB
   * of room is 896 nodes of over 9 KiB each).
   */
  static final int MOVE_ROOM_SHIFT = 3;

  /**
   * The next block is requested once 1/2^REQUEST_SHIFT of the block is used: early enough that the
   * preparer, which zeroes and faults in about 400 MB/s here (a first touch costs about 10 µs a
   * page) while serving the value log too, is done before the move starts at 7/8.
   */
  static final int REQUEST_SHIFT = 2;

  /** Bytes allocated between two looks at whether the block prepared ahead is ready. */
  static final long READY_POLL_BYTES = 16 << 10;

  private final BlockLedger ledger; // immutable
  private final long initialBlockSize; // immutable
  private final long maxBytes; // immutable
  private final Runnable relocated; // immutable
  private final BlockAhead ahead; // immutable reference; writer-only

  /** The block readers use; null while the arena is empty. Any thread, through PUBLISHED. */
  @SuppressWarnings("unused") // accessed through PUBLISHED
  private MemorySegment published;

  // Writer-only.
  private Block block;
  private MemorySegment segment;
  private long used;

  /** The block the last move left, kept until {@link #settle()} so a failed write can move back. */
  private Block previous;

  /** The block being moved to, or null. */
  private Block target;

  /** Bytes {@code [0, moved)} of the block are in {@link #target} and kept in step; 0: no move. */
  private long moved;

  /** The used bytes at which an allocation looks at the move (request, poll, copy a step). */
  private long nextCheck = Long.MAX_VALUE;

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
    this(name, allocator, initialBlockSize, maxBytes, listener, relocated, AheadBudget.none());
  }

  /**
   * Creates an empty arena that prepares its next block ahead of need and moves into it over many
   * writes.
   *
   * @param name the arena's name, for messages and events
   * @param allocator where blocks come from
   * @param initialBlockSize size of the first block
   * @param maxBytes the largest block it may grow to; at most {@link
   *     IndexTooLargeException#MAX_INDEX_BYTES}
   * @param listener told of every block allocated, prepared or freed
   * @param relocated run after each move, before the writer stores into the new block
   * @param budget the bytes this arena may hold ahead, shared with the buffer's other arena
   */
  public SingleBlockArena(
      String name,
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBytes,
      ArenaListener listener,
      Runnable relocated,
      AheadBudget budget) {
    if (maxBytes > IndexTooLargeException.MAX_INDEX_BYTES || maxBytes < initialBlockSize) {
      throw new IllegalArgumentException("bad node block limit " + maxBytes);
    }
    this.ledger = new BlockLedger(name, allocator, listener);
    this.initialBlockSize = initialBlockSize;
    this.maxBytes = maxBytes;
    this.relocated = relocated;
    this.ahead = new BlockAhead(ledger, budget);
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
    if (need >= nextCheck) {
      advanceMove(); // copies below the bytes used so far: the new allocation stays unmoved
    }
    if (segment == null || need > segment.byteSize()) {
      grow(need);
    }
    used = need;
    return start;
  }

  /**
   * The size of the block after one of {@code size} bytes (0: none) that must hold {@code need}.
   */
  private long nextSize(long size, long need) {
    size = size == 0 ? initialBlockSize : size << 1;
    while (size < need) {
      size <<= 1;
    }
    return Math.min(size, maxBytes);
  }

  /** Writer: requests the next block, starts the move when it is ready, or copies one step. */
  private void advanceMove() {
    if (target == null) {
      long size = nextSize(segment.byteSize(), 0);
      if (!ahead.holds(size)) {
        if (size <= segment.byteSize() || !ahead.request(size)) {
          nextCheck = Long.MAX_VALUE; // nothing to prepare: the block grows in one go when full
          return;
        }
      }
      long moveAt = segment.byteSize() - (segment.byteSize() >> MOVE_ROOM_SHIFT);
      if (used < moveAt) {
        nextCheck = moveAt;
        return;
      }
      Block b = ahead.take(size);
      if (b == null) {
        nextCheck = ahead.holds(size) ? used + READY_POLL_BYTES : Long.MAX_VALUE;
        return;
      }
      target = b;
      moved = 0;
    }
    long end = Math.min(moved + MOVE_STEP, used);
    MemorySegment.copy(segment, moved, target.segment(), moved, end - moved);
    moved = end;
    nextCheck = 0; // every allocation copies a step until the move is done
    if (moved == used) {
      finishMove();
    }
  }

  /** Writer: the target holds every used byte; readers move to it. */
  private void finishMove() {
    assert MemorySegment.mismatch(segment, 0, used, target.segment(), 0, used) == -1
        : "the moved node block differs from the block it left";
    settle();
    Block old = block;
    Block fresh = target;
    target = null;
    moved = 0;
    publish(fresh);
    previous = old;
  }

  /** Writer: gives up a move under way; its target goes back to the allocator. */
  private void cancelMove() {
    Block t = target;
    if (t != null) {
      target = null;
      moved = 0;
      ledger.free(t);
    }
  }

  /**
   * Writer: a node's fields (not its key, which never changes) were stored to; keeps a move under
   * way in step. Called when the node's change window closes.
   *
   * @param offset the node's byte offset
   * @param length the bytes of its fields
   */
  public void changed(long offset, long length) {
    if (offset < moved) {
      MemorySegment.copy(segment, offset, target.segment(), offset, length);
    }
  }

  private void grow(long need) {
    if (need > maxBytes) {
      throw new IndexTooLargeException(maxBytes, need);
    }
    settle();
    Block old = block;
    Block fresh;
    if (target != null && target.segment().byteSize() >= need) {
      // The prepared block came late: copy what the move has not copied yet.
      MemorySegment.copy(segment, moved, target.segment(), moved, used - moved);
      moved = used;
      finishMove();
      return;
    }
    cancelMove();
    long size = nextSize(segment == null ? 0 : segment.byteSize(), need);
    fresh = ahead.await(size);
    if (fresh == null) {
      ahead.drop();
      fresh = ledger.allocate(size);
    }
    if (old != null) {
      MemorySegment.copy(old.segment(), 0, fresh.segment(), 0, used);
    }
    publish(fresh);
    previous = old;
  }

  private void publish(Block b) {
    block = b;
    segment = b == null ? null : b.segment();
    nextCheck = b == null ? Long.MAX_VALUE : b.segment().byteSize() >> REQUEST_SHIFT;
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
      // A write allocates one node, so a move copied nothing above the mark; should a write ever
      // allocate more, the bytes above it are allocated again and must be copied again.
      moved = Math.min(moved, mark);
    }
  }

  /** Writer: frees the block, the move under way and the block prepared ahead. */
  public void reset() {
    settle();
    freeAll();
  }

  private void freeAll() {
    cancelMove();
    ahead.release();
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
   * @return the block's size, plus the block being moved to and the one prepared ahead, if any (and
   *     the block left, during a write that moved the arena)
   */
  public long bytesAllocated() {
    return ledger.bytesAllocated();
  }

  /**
   * Writer: counts blocks and bytes.
   *
   * @return the block (or none) and the one being moved to, the bytes allocated (blocks prepared
   *     ahead included), the bytes used and no waste
   */
  public ArenaUsage usage() {
    int blocks = (block == null ? 0 : 1) + (target == null ? 0 : 1);
    return new ArenaUsage(blocks, ledger.bytesAllocated(), used, 0, ahead.bytes());
  }

  /**
   * Writer: whether a move is under way (for tests).
   *
   * @return true between the first copied step and the publication of the new block
   */
  public boolean moving() {
    return target != null;
  }
}
