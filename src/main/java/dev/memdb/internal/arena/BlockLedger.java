package dev.memdb.internal.arena;

import dev.memdb.internal.arena.BlockAllocator.Block;

/**
 * Where an arena's blocks come from and go to, with the arena's exact byte count and its listener
 * told of every change: the part both arena types share.
 *
 * <p><b>Ownership.</b> {@link #allocate}, {@link #free} and the {@code …Ahead} methods are
 * writer-only (the thread holding the buffer's write lock); {@link #bytesAllocated()} and {@link
 * #bytesAhead()} may be read by any thread (volatile).
 */
final class BlockLedger {
  private final String name; // immutable
  private final BlockAllocator allocator; // immutable
  private final ArenaListener listener; // immutable

  /**
   * Sum of the sizes of the blocks the arena holds, in use or prepared ahead; written by the
   * writer, read by anyone.
   */
  private volatile long bytesAllocated;

  /** The part of {@link #bytesAllocated} prepared ahead and not in use yet; as above. */
  private volatile long bytesAhead;

  BlockLedger(String name, BlockAllocator allocator, ArenaListener listener) {
    this.name = name;
    this.allocator = allocator;
    this.listener = listener;
  }

  String name() {
    return name;
  }

  BlockAllocator allocator() {
    return allocator;
  }

  /** Writer: a new block of exactly {@code size} bytes, counted and reported. */
  Block allocate(long size) {
    Block block = allocator.allocate(size);
    bytesAllocated += size;
    listener.blockAllocated(name, size, bytesAllocated);
    return block;
  }

  /** Writer: gives a block back, uncounted and reported. */
  void free(Block block) {
    long size = block.segment().byteSize();
    bytesAllocated -= size;
    allocator.free(block);
    listener.blockFreed(name, size, bytesAllocated);
  }

  /** Writer: counts a block requested ahead of need (see {@link BlockAhead}) and reports it. */
  void reserveAhead(long size) {
    bytesAllocated += size;
    bytesAhead += size;
    listener.blockPrepared(name, size, bytesAllocated);
  }

  /** Writer: a block prepared ahead went into use; it stays counted. */
  void activateAhead(long size) {
    bytesAhead -= size;
  }

  /** Writer: uncounts a block prepared ahead that was dropped (or failed) and reports it. */
  void dropAhead(long size) {
    bytesAllocated -= size;
    bytesAhead -= size;
    listener.preparedBlockDropped(name, size, bytesAllocated);
  }

  long bytesAllocated() {
    return bytesAllocated;
  }

  long bytesAhead() {
    return bytesAhead;
  }
}
