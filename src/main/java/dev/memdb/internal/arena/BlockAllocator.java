package dev.memdb.internal.arena;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where arena blocks come from and go back to. The default gives each block its own shared {@link
 * Arena}, so a truncated block's memory goes back to the operating system at once; tests inject
 * failing allocators through this seam.
 */
public interface BlockAllocator {
  /** The alignment of every block's base address. */
  long BLOCK_ALIGNMENT = 8;

  /**
   * Allocates a zeroed block.
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
   * Returns the default allocator: one shared arena per block.
   *
   * @return the allocator
   */
  static BlockAllocator sharedArenas() {
    return SharedArenaAllocator.INSTANCE;
  }
}
