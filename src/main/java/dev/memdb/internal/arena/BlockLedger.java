package dev.memdb.internal.arena;

import dev.memdb.internal.arena.BlockAllocator.Block;

/**
 * Where an arena's blocks come from and go to, with the arena's exact byte count and its listener
 * told of every change: the part both arena types share.
 *
 * <p><b>Ownership.</b> {@link #allocate} and {@link #free} are writer-only (the thread holding the
 * buffer's write lock); {@link #bytesAllocated()} may be read by any thread (volatile).
 */
final class BlockLedger {
  private final String name; // immutable
  private final BlockAllocator allocator; // immutable
  private final ArenaListener listener; // immutable

  /** Sum of the sizes of the blocks the arena holds; written by the writer, read by anyone. */
  private volatile long bytesAllocated;

  BlockLedger(String name, BlockAllocator allocator, ArenaListener listener) {
    this.name = name;
    this.allocator = allocator;
    this.listener = listener;
  }

  String name() {
    return name;
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

  long bytesAllocated() {
    return bytesAllocated;
  }
}
