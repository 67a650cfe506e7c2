package dev.memdb.internal.arena;

import dev.memdb.internal.arena.BlockAllocator.Block;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A growable list of off-heap blocks handing out addresses by bumping a pointer in the last block.
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
 * <p><b>Growth</b> (as the TiKV MemDB arena): the first block is {@code initialBlockSize}; every
 * later one starts at twice the previous size and doubles while it is not larger than the request,
 * up to {@code maxBlockSize}; a request larger than that gets a block of exactly its size. The
 * unused tail of a block is never revisited. Allocation is all-or-nothing: when the allocator
 * fails, the arena is unchanged.
 */
public final class BlockArena {
  private static final VarHandle BLOCKS;

  static {
    try {
      BLOCKS =
          MethodHandles.lookup()
              .findVarHandle(BlockArena.class, "blocks", MemorySegment[].class)
              .withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final long ALIGNMENT_MASK = 7;

  /**
   * Empty slots before and after the blocks in the published table (64 bytes of references on each
   * side): readers load table slots on every node hop, and the writer's own arrays, allocated next
   * to the table, are stored to on every allocation; without padding they share cache lines.
   */
  static final int TABLE_PAD = 16;

  private final String name;
  private final BlockAllocator allocator;
  private final long initialBlockSize;
  private final long maxBlockSize;
  private final boolean aligned;
  private final boolean contiguous;
  private final Runnable relocated;

  /**
   * Contiguous mode: the block the last move left, kept until {@link #settle()} so that a write
   * that fails after the move can move back without allocating (see {@link #truncate}).
   */
  private Block previous;

  /** Published block table; readers use {@link #blocksAcquire()}, the writer reads it plainly. */
  @SuppressWarnings("unused") // accessed through BLOCKS
  private MemorySegment[] blocks = new MemorySegment[2 * TABLE_PAD];

  // Writer-only state.
  private Block[] owned = new Block[0];
  private MemorySegment[] writerTable = new MemorySegment[0];
  private MemorySegment firstBlock; // writerTable[0] or null, for contiguous mode's writer
  private long[] used = new long[0];
  private long blockSize;
  private final ArenaListener listener;

  /** Bytes allocated from the operating system; written by the writer, read by anyone. */
  private volatile long bytesAllocated;

  /**
   * Creates an empty arena; it allocates nothing until the first allocation.
   *
   * @param name "nodes" or "values", for messages and events
   * @param allocator where blocks come from
   * @param initialBlockSize size of the first block
   * @param maxBlockSize size growth stops at
   * @param aligned whether allocations start on 8-byte boundaries
   * @param listener told of every block allocated or freed
   */
  public BlockArena(
      String name,
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBlockSize,
      boolean aligned,
      ArenaListener listener) {
    this(name, allocator, initialBlockSize, maxBlockSize, aligned, listener, false, null);
  }

  private BlockArena(
      String name,
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBlockSize,
      boolean aligned,
      ArenaListener listener,
      boolean contiguous,
      Runnable relocated) {
    this.name = name;
    this.allocator = allocator;
    this.initialBlockSize = initialBlockSize;
    this.maxBlockSize = maxBlockSize;
    this.aligned = aligned;
    this.listener = listener;
    this.contiguous = contiguous;
    this.relocated = relocated;
  }

  /**
   * Creates an empty arena that holds everything in one block: when the block is full, the writer
   * copies it into one twice as large, so addresses (offsets in block 0) stay valid.
   *
   * <p>Why: a reader walking the tree then uses one segment for the whole walk, and the JIT checks
   * its bounds and liveness once per walk instead of once per node hop: a sequential lookup in a
   * million-node tree takes about 40 % less time than over a table of blocks. The price is the copy
   * (each byte is copied about once on average, under the write lock, while readers go on reading
   * the old block) and a transient old-plus-new footprint during it.
   *
   * <p>After publishing the new block and before the first store into it, the writer runs {@code
   * relocated}, which must make every read that started on the old block fail its final validation:
   * the old block stops receiving writes and is freed (or pooled and reused) right away.
   *
   * @param name the arena's name, for messages and events
   * @param allocator where blocks come from
   * @param initialBlockSize size of the first block
   * @param listener told of every block allocated or freed
   * @param relocated run after each move, before the writer stores into the new block
   * @return the arena, 8-byte aligned
   */
  public static BlockArena contiguous(
      String name,
      BlockAllocator allocator,
      long initialBlockSize,
      ArenaListener listener,
      Runnable relocated) {
    return new BlockArena(
        name, allocator, initialBlockSize, MAX_CONTIGUOUS_BYTES, true, listener, true, relocated);
  }

  /** Addresses keep 32 bits for the offset in a block: a contiguous arena stops at 4 GiB. */
  static final long MAX_CONTIGUOUS_BYTES = 1L << 32;

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
    if (block >= table.length - 2 * TABLE_PAD) {
      table = blocksAcquire();
      if (block >= table.length - 2 * TABLE_PAD) {
        throw new IndexOutOfBoundsException("no block " + block + " in the " + name + " arena");
      }
    }
    return table[TABLE_PAD + block];
  }

  /**
   * Contiguous mode: the one block of a table a reader holds, loading the table again if the
   * reader's copy is from before the first block.
   *
   * @param table a table from {@link #blocksAcquire()}
   * @return the block every address of this arena lies in
   * @throws IndexOutOfBoundsException if the arena holds no block (a stale address)
   */
  public MemorySegment single(MemorySegment[] table) {
    MemorySegment s = table[TABLE_PAD];
    if (s == null) {
      s = blocksAcquire()[TABLE_PAD];
      if (s == null) {
        throw new IndexOutOfBoundsException("no block in the " + name + " arena");
      }
    }
    return s;
  }

  /**
   * Returns whether this arena keeps everything in one block (see {@link #contiguous}).
   *
   * @return true for a contiguous arena
   */
  public boolean isContiguous() {
    return contiguous;
  }

  /**
   * Writer only, contiguous mode: the one block every address lies in (null before the first
   * allocation). Valid until the next allocation or truncation, which may move the arena.
   *
   * @return the block
   */
  public MemorySegment singlePlain() {
    return firstBlock;
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
      long start = aligned ? (used[last] + ALIGNMENT_MASK) & ~ALIGNMENT_MASK : used[last];
      if (start + size <= owned[last].segment().byteSize()) {
        used[last] = start + size;
        return Address.of(last, start);
      }
    }
    if (contiguous && count == 1) {
      return relocate(size);
    }
    enlarge(size);
    used[used.length - 1] = size;
    return Address.of(used.length - 1, 0);
  }

  /**
   * Contiguous mode: moves everything into a block large enough for {@code size} more bytes. All or
   * nothing: if the allocator fails, the arena is unchanged.
   */
  private long relocate(long size) {
    Block old = owned[0];
    long oldSize = old.segment().byteSize();
    long start = (used[0] + ALIGNMENT_MASK) & ~ALIGNMENT_MASK;
    long need = start + size;
    if (need > MAX_CONTIGUOUS_BYTES) {
      throw new OutOfMemoryError(
          "memdb: the " + name + " arena cannot grow past " + MAX_CONTIGUOUS_BYTES + " bytes");
    }
    long newSize = oldSize << 1;
    while (newSize < need) {
      newSize <<= 1;
    }
    newSize = Math.min(newSize, MAX_CONTIGUOUS_BYTES);
    settle();
    Block block = allocator.allocate(newSize);
    MemorySegment.copy(old.segment(), 0, block.segment(), 0, used[0]);
    publishSingle(block);
    blockSize = newSize;
    bytesAllocated += newSize;
    listener.blockAllocated(name, newSize, bytesAllocated);
    previous = old;
    used[0] = need;
    return Address.of(0, start);
  }

  private void publishSingle(Block block) {
    owned = new Block[] {block};
    writerTable = new MemorySegment[] {block.segment()};
    firstBlock = block.segment();
    BLOCKS.setRelease(this, publishedTable(owned));
    relocated.run();
  }

  /**
   * Writer only: the write that may have moved a contiguous arena succeeded; frees the block it
   * left. Does nothing otherwise.
   */
  public void settle() {
    Block old = previous;
    if (old != null) {
      previous = null;
      free(old);
    }
  }

  private void free(Block b) {
    long size = b.segment().byteSize();
    bytesAllocated -= size;
    allocator.free(b);
    listener.blockFreed(name, size, bytesAllocated);
  }

  private void enlarge(long request) {
    long start = used.length == 0 ? initialBlockSize : Math.min(blockSize << 1, maxBlockSize);
    long size = start;
    while (size <= request && size < maxBlockSize) {
      size <<= 1;
    }
    size = Math.min(size, maxBlockSize);
    long growth = size;
    if (request > size) {
      size = request; // a block of its own; growth goes on from the capped size
    }
    Block block = allocator.allocate(size);
    int count = used.length;
    Block[] newOwned = Arrays.copyOf(owned, count + 1);
    newOwned[count] = block;
    used = Arrays.copyOf(used, count + 1);
    owned = newOwned;
    writerTable = Arrays.copyOf(writerTable, count + 1);
    writerTable[count] = block.segment();
    firstBlock = writerTable[0];
    MemorySegment[] table = publishedTable(newOwned);
    blockSize = growth;
    BLOCKS.setRelease(this, table);
    bytesAllocated += size;
    listener.blockAllocated(name, size, bytesAllocated);
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
   * Writer only: the number of blocks. With {@link #lastUsed()} and {@link #growthSize()} it is the
   * current mark, taken without allocating (for the write path's rollback on failure).
   *
   * @return blocks held
   */
  public int blockCount() {
    return used.length;
  }

  /**
   * Writer only: the used bytes of the last block.
   *
   * @return bytes, 0 when there are no blocks
   */
  public long lastUsed() {
    return used.length == 0 ? 0 : used[used.length - 1];
  }

  /**
   * Writer only: the block size the last enlargement chose.
   *
   * @return bytes, 0 when there are no blocks
   */
  public long growthSize() {
    return used.length == 0 ? 0 : blockSize;
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
    if (previous != null) {
      // A write that moved the arena failed: move back to the block it left, which still holds
      // everything as it was, and free the new one. No allocation, so this cannot fail.
      Block moved = owned[0];
      publishSingle(previous);
      blockSize = previous.segment().byteSize();
      previous = null;
      free(moved);
    }
    int count = used.length;
    if (keep > count || (keep > 0 && mark.offset() > owned[keep - 1].segment().byteSize())) {
      throw new IllegalArgumentException(
          name + " arena cannot truncate to " + mark + " with " + count + " blocks");
    }
    Block[] dropped = Arrays.copyOfRange(owned, keep, count);
    if (keep < count) {
      owned = Arrays.copyOf(owned, keep);
      writerTable = Arrays.copyOf(writerTable, keep);
      firstBlock = keep > 0 ? writerTable[0] : null;
      BLOCKS.setRelease(this, publishedTable(owned));
      used = Arrays.copyOf(used, keep);
    }
    if (keep > 0) {
      used[keep - 1] = mark.offset();
    }
    if (!contiguous || keep == 0) {
      // A contiguous arena keeps its (possibly moved and larger) block.
      blockSize = mark.blockSize();
    }
    for (Block b : dropped) {
      free(b);
    }
  }

  /** Writer only: frees every block. */
  public void reset() {
    truncate(ArenaMark.EMPTY);
  }

  /**
   * Returns the bytes allocated from the operating system. Any thread.
   *
   * @return the sum of the block sizes
   */
  public long bytesAllocated() {
    return bytesAllocated;
  }

  /**
   * Writer only (or under the write lock): counts blocks and bytes.
   *
   * @return blocks, bytes allocated, used and wasted at the tails of full blocks
   */
  public Usage usage() {
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
    return new Usage(used.length, allocated, usedBytes, wasted);
  }

  /**
   * Byte accounting of an arena.
   *
   * @param blocks blocks held
   * @param bytesAllocated sum of block sizes
   * @param bytesUsed bytes handed out, padding included
   * @param bytesWasted unused tails of blocks that are not the last
   */
  public record Usage(int blocks, long bytesAllocated, long bytesUsed, long bytesWasted) {}

  /** Told of block allocation and release; used for events and logging. */
  public interface ArenaListener {
    /** A listener that does nothing. */
    ArenaListener NONE = new ArenaListener() {};

    /**
     * A block was allocated.
     *
     * @param arena the arena's name
     * @param bytes its size
     * @param arenaAllocated the arena's bytes allocated after the change
     */
    default void blockAllocated(String arena, long bytes, long arenaAllocated) {}

    /**
     * A block was freed.
     *
     * @param arena the arena's name
     * @param bytes its size
     * @param arenaAllocated the arena's bytes allocated after the change
     */
    default void blockFreed(String arena, long bytes, long arenaAllocated) {}
  }
}
