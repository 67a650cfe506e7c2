package dev.memdb.internal.arena;

import dev.memdb.internal.arena.BlockAllocator.Block;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A growable list of off-heap blocks handing out addresses by bumping a pointer in the last block.
 * It holds the value log; the tree's nodes live in a {@link SingleBlockArena}.
 *
 * <p><b>Thread safety.</b> One writer (the thread holding the buffer's write lock) allocates,
 * truncates and resets; any number of readers resolve addresses concurrently. Readers see the block
 * table only through {@link #blocksAcquire()}. The table is a {@code MemorySegment[]} that is never
 * mutated after publication: the writer builds the enlarged (or shortened) copy completely, then
 * publishes it with a release store, so a reader that acquires it sees every element written. A
 * reader that finds a block index beyond its copy loads the table again (the address it holds was
 * published after a newer table). Blocks taken away by truncation are published away first and
 * freed after; a reader still holding the old table then fails with {@link IllegalStateException}
 * (the segment's arena is closed) instead of reading freed memory.
 *
 * <p><b>Ownership.</b> The published table: any thread, acquire. Everything else: writer-only,
 * except the byte count (volatile).
 *
 * <p><b>Growth</b> (as the TiKV MemDB arena): the first block is {@code initialBlockSize}; every
 * later one starts at twice the previous size and doubles while it is not larger than the request,
 * up to {@code maxBlockSize}; a request larger than that gets a block of exactly its size. The
 * unused tail of a block is never revisited. Allocation is all-or-nothing: when the allocator
 * fails, the arena is unchanged.
 *
 * <p><b>Blocks prepared ahead.</b> With a non-empty {@link AheadBudget}, once the last block is a
 * quarter used the arena requests the next one from the {@link BlockPreparer}, so the write that
 * fills the block only swaps in a zeroed, faulted-in block. If that block is still being prepared
 * when it is needed, the write takes a stopgap block of {@link #STOPGAP_BLOCK} bytes (or its
 * request) instead of waiting, and growth goes on as if it had not: the prepared block comes next.
 */
public final class MultiBlockArena {
  private static final VarHandle BLOCKS;

  static {
    try {
      BLOCKS =
          MethodHandles.lookup()
              .findVarHandle(MultiBlockArena.class, "blocks", MemorySegment[].class)
              .withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Empty slots before and after the blocks in the published table (64 bytes of references on each
   * side): readers load table slots on every value read, and the writer's own arrays, allocated
   * next to the table, are stored to on every allocation; without padding they share cache lines.
   */
  static final int TABLE_PAD = 16;

  /**
   * The next block is requested once 1/2^REQUEST_SHIFT of the last one is used, so that the
   * preparer (about 400 MB/s here, shared with the node block) is done when the block is full.
   */
  static final int REQUEST_SHIFT = 2;

  /** The block a write takes while the block it needs is still being prepared ahead. */
  static final long STOPGAP_BLOCK = AheadBudget.MIN_PREPARED_BLOCK;

  private final BlockLedger ledger; // immutable
  private final long initialBlockSize; // immutable
  private final long maxBlockSize; // immutable
  private final BlockAhead ahead; // immutable reference; writer-only

  /** Published block table; readers use {@link #blocksAcquire()}. */
  @SuppressWarnings("unused") // accessed through BLOCKS
  private MemorySegment[] blocks = new MemorySegment[2 * TABLE_PAD];

  // Writer-only.
  private Block[] owned = new Block[0];
  private MemorySegment[] writerTable = new MemorySegment[0];
  private long[] used = new long[0];
  private long blockSize;

  /** The last block's used bytes at which the next block is requested ahead; MAX_VALUE: none. */
  private long prepareAt = Long.MAX_VALUE;

  /**
   * Creates an empty arena; it allocates nothing until the first allocation.
   *
   * @param name the arena's name, for messages and events
   * @param allocator where blocks come from
   * @param initialBlockSize size of the first block
   * @param maxBlockSize size growth stops at
   * @param listener told of every block allocated or freed
   */
  public MultiBlockArena(
      String name,
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBlockSize,
      ArenaListener listener) {
    this(name, allocator, initialBlockSize, maxBlockSize, listener, AheadBudget.none());
  }

  /**
   * Creates an empty arena that prepares blocks ahead of need within a budget.
   *
   * @param name the arena's name, for messages and events
   * @param allocator where blocks come from
   * @param initialBlockSize size of the first block
   * @param maxBlockSize size growth stops at
   * @param listener told of every block allocated, prepared or freed
   * @param budget the bytes this arena may hold ahead, shared with the buffer's other arena
   */
  public MultiBlockArena(
      String name,
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBlockSize,
      ArenaListener listener,
      AheadBudget budget) {
    this.ledger = new BlockLedger(name, allocator, listener);
    this.initialBlockSize = initialBlockSize;
    this.maxBlockSize = maxBlockSize;
    this.ahead = new BlockAhead(ledger, budget);
  }

  /**
   * Returns the published block table. Pairs with the writer's release store: every block in it is
   * fully allocated.
   *
   * @return the table; never mutate it
   */
  public MemorySegment[] blocksAcquire() {
    return (MemorySegment[]) BLOCKS.getAcquire(this);
  }

  /**
   * Resolves an address against a table a reader holds, loading the table again if the address lies
   * in a block published after it.
   *
   * @param table a table from {@link #blocksAcquire()}
   * @param address a non-null address
   * @return the block holding the address
   * @throws IndexOutOfBoundsException if no block has that index (a stale address)
   */
  public MemorySegment segment(MemorySegment[] table, long address) {
    int block = Address.block(address);
    // Unsigned, so a torn address with a negative index fails here, not on a padding slot's null.
    if (Integer.compareUnsigned(block, table.length - 2 * TABLE_PAD) >= 0) {
      table = blocksAcquire();
      if (Integer.compareUnsigned(block, table.length - 2 * TABLE_PAD) >= 0) {
        throw new IndexOutOfBoundsException(
            "no block " + block + " in the " + ledger.name() + " arena");
      }
    }
    return table[TABLE_PAD + block];
  }

  /**
   * Writer only: resolves an address against the writer's own view of the table.
   *
   * @param address a non-null address
   * @return the block holding it
   */
  public MemorySegment segmentPlain(long address) {
    return writerTable[Address.block(address)];
  }

  /**
   * Writer only: allocates {@code size} bytes.
   *
   * @param size bytes, {@code > 0}
   * @return the address of the first byte
   * @throws OutOfMemoryError if a new block was needed and could not be had (nothing changed)
   */
  public long allocate(long size) {
    int count = used.length;
    if (count > 0) {
      int last = count - 1;
      long start = used[last];
      long end = start + size;
      if (end <= owned[last].segment().byteSize()) {
        used[last] = end;
        if (end >= prepareAt) {
          prepareAt = Long.MAX_VALUE;
          ahead.request(nextBlockSize());
        }
        return Address.of(last, start);
      }
    }
    enlarge(size);
    used[used.length - 1] = size;
    return Address.of(used.length - 1, 0);
  }

  private void enlarge(long request) {
    long start = used.length == 0 ? initialBlockSize : Math.min(blockSize << 1, maxBlockSize);
    long size = start;
    while (size <= request && size < maxBlockSize) {
      size <<= 1;
    }
    size = Math.min(size, maxBlockSize);
    long growth = size;
    Block block = null;
    if (request > size) {
      size = request; // a block of its own; growth goes on from the capped size
    } else if (ahead.holds(size)) {
      block = ahead.take(size);
      if (block == null && ahead.holds(size)) {
        // Still being prepared: a small block now keeps this write short; growth is unchanged.
        size = Math.min(size, Math.max(STOPGAP_BLOCK, request));
        growth = blockSize;
      }
    } else {
      ahead.drop();
    }
    if (block == null) {
      block = ledger.allocate(size);
    }
    int count = used.length;
    Block[] newOwned = Arrays.copyOf(owned, count + 1);
    newOwned[count] = block;
    used = Arrays.copyOf(used, count + 1);
    owned = newOwned;
    writerTable = Arrays.copyOf(writerTable, count + 1);
    writerTable[count] = block.segment();
    blockSize = growth;
    prepareAt = block.segment().byteSize() >> REQUEST_SHIFT;
    BLOCKS.setRelease(this, publishedTable(newOwned));
  }

  /** Writer: the size of the next block, if it is not for an oversized request. */
  private long nextBlockSize() {
    return used.length == 0 ? initialBlockSize : Math.min(blockSize << 1, maxBlockSize);
  }

  /** Builds a complete, padded table of the given blocks, to be published once. */
  private static MemorySegment[] publishedTable(Block[] blocks) {
    MemorySegment[] table = new MemorySegment[TABLE_PAD + blocks.length + TABLE_PAD];
    for (int i = 0; i < blocks.length; i++) {
      table[TABLE_PAD + i] = blocks[i].segment();
    }
    return table;
  }

  /**
   * Writer only: returns the current position.
   *
   * @return a mark that {@link #truncate(ArenaMark)} can return to
   */
  public ArenaMark mark() {
    int count = used.length;
    return count == 0 ? ArenaMark.EMPTY : new ArenaMark(count, used[count - 1], blockSize);
  }

  /**
   * Writer only: returns the current position as a number comparable with addresses.
   *
   * @return {@link ArenaMark#EMPTY_POSITION} or the address just past the last allocation
   */
  public long tailPosition() {
    int count = used.length;
    return count == 0 ? ArenaMark.EMPTY_POSITION : Address.of(count - 1, used[count - 1]);
  }

  /**
   * Writer only: returns the used length of a block.
   *
   * @param block a block index
   * @return bytes used in it
   */
  public long usedOf(int block) {
    return used[block];
  }

  /**
   * Writer only: returns the arena to a mark taken earlier, freeing every block after it.
   *
   * @param mark a mark of this arena at or before the current position
   */
  public void truncate(ArenaMark mark) {
    int keep = mark.blocks();
    int count = used.length;
    if (keep > count || (keep > 0 && mark.offset() > owned[keep - 1].segment().byteSize())) {
      throw new IllegalArgumentException(
          ledger.name() + " arena cannot truncate to " + mark + " with " + count + " blocks");
    }
    Block[] dropped = Arrays.copyOfRange(owned, keep, count);
    if (keep < count) {
      owned = Arrays.copyOf(owned, keep);
      writerTable = Arrays.copyOf(writerTable, keep);
      BLOCKS.setRelease(this, publishedTable(owned));
      used = Arrays.copyOf(used, keep);
    }
    if (keep > 0) {
      used[keep - 1] = mark.offset();
    }
    blockSize = mark.blockSize();
    prepareAt = keep == 0 ? Long.MAX_VALUE : owned[keep - 1].segment().byteSize() >> REQUEST_SHIFT;
    if (keep == 0) {
      ahead.release(); // emptied (reset, close): settle the prepared block now
    } else if (!ahead.holds(nextBlockSize())) {
      ahead.drop();
    }
    for (Block b : dropped) {
      ledger.free(b);
    }
  }

  /** Writer only: frees every block, prepared ones included. */
  public void reset() {
    truncate(ArenaMark.EMPTY);
  }

  /**
   * Returns the bytes allocated from the operating system. Any thread.
   *
   * @return the sum of the block sizes, blocks prepared ahead included
   */
  public long bytesAllocated() {
    return ledger.bytesAllocated();
  }

  /**
   * Writer only (or under the write lock): counts blocks and bytes.
   *
   * @return blocks, bytes allocated, used and wasted at the tails of full blocks
   */
  public ArenaUsage usage() {
    long allocated = 0;
    long usedBytes = 0;
    long wasted = 0;
    for (int i = 0; i < used.length; i++) {
      long size = owned[i].segment().byteSize();
      allocated += size;
      usedBytes += used[i];
      if (i < used.length - 1) {
        wasted += size - used[i];
      }
    }
    long aheadBytes = ahead.bytes();
    return new ArenaUsage(used.length, allocated + aheadBytes, usedBytes, wasted, aheadBytes);
  }
}
