package dev.memdb.internal.arena;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where arena blocks come from and go back to. Each block has its own shared {@link Arena}, so any
 * block can be given back alone; the default {@link #pooled()} allocator parks freed blocks of
 * common sizes for reuse. Tests inject failing allocators through this seam.
 */
public interface BlockAllocator {
  /** The alignment of every block's base address. */
  long BLOCK_ALIGNMENT = 8;

  /**
   * Allocates a block. Its bytes may be those of a former owner (a pooled block): callers write
   * everything they publish.
   *
   * @param bytes the block size
   * @return the block
   * @throws OutOfMemoryError if the memory cannot be had
   */
  Block allocate(long bytes);

  /**
   * Gives a block's memory back. After this, any access to the block's segment from any thread
   * fails with {@link IllegalStateException}.
   *
   * @param block a block from {@link #allocate(long)}, freed once
   */
  void free(Block block);

  /**
   * A block: its memory and what owns it.
   *
   * @param segment the block's memory
   * @param owner the arena that frees it
   */
  record Block(MemorySegment segment, Arena owner) {}

  /**
   * Returns an allocator that gives every block its own shared arena and frees it at once.
   *
   * @return the allocator
   */
  static BlockAllocator sharedArenas() {
    return SharedArenaAllocator.INSTANCE;
  }

  /**
   * Returns the default allocator: shared arenas behind a bounded process-wide pool of freed
   * blocks, so rollbacks and closes rarely pay for closing an arena.
   *
   * @return the allocator
   */
  static BlockAllocator pooled() {
    return BlockPool.INSTANCE;
  }

  /**
   * Frees every block parked in the default pool.
   *
   * @return bytes given back to the operating system
   */
  static long trimPool() {
    return BlockPool.INSTANCE.trim();
  }

  /**
   * Returns the bytes parked in the default pool.
   *
   * @return bytes allocated from the operating system and held for reuse
   */
  static long pooledBytes() {
    return BlockPool.INSTANCE.pooledBytes();
  }
}
