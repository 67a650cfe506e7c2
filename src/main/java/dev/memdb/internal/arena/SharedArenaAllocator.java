package dev.memdb.internal.arena;

import java.lang.foreign.Arena;

/**
 * Gives every block its own {@link Arena#ofShared() shared arena}: blocks are read by many threads,
 * and each one can be given back on its own when the value log is truncated.
 */
final class SharedArenaAllocator implements BlockAllocator {
  static final SharedArenaAllocator INSTANCE = new SharedArenaAllocator();

  private SharedArenaAllocator() {}

  @Override
  public Block allocate(long bytes) {
    Arena arena = Arena.ofShared();
    try {
      return new Block(arena.allocate(bytes, BLOCK_ALIGNMENT), arena);
    } catch (RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  @Override
  public void free(Block block) {
    // Closing a shared arena fails while another thread is inside an access to one of its
    // segments (a reader copying a value); such accesses last nanoseconds, so try again.
    while (true) {
      try {
        block.owner().close();
        return;
      } catch (IllegalStateException busy) {
        if (!block.owner().scope().isAlive()) {
          return;
        }
        Thread.onSpinWait();
      }
    }
  }
}
