package dev.memdb.internal.arena;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process-wide, bounded pool of freed blocks in front of {@link SharedArenaAllocator}.
 *
 * <p>Why: freeing a block closes its shared {@link java.lang.foreign.Arena}, which costs a
 * handshake with every Java thread and deoptimizes their top frames (JDK-8290892). A transaction
 * buffer frees blocks on every statement rollback that crossed a block and on every close, so freed
 * blocks of the common sizes are parked here and handed to the next arena that grows by the same
 * size, up to {@link #MAX_POOLED_BYTES} in all; larger blocks, and blocks over the cap, are really
 * freed. A reused block still holds its former owner's bytes: nodes and records are always written
 * in full before they are published, and a reader that follows a stale address into a reused block
 * fails its version or epoch check and starts again.
 *
 * <p>Large blocks are pooled too: a fresh block costs more than the handshake. The allocator zeroes
 * it and the first touch of every page faults it in, which made a buffer of a million entries,
 * reset and refilled, spend 40 % of its insert time zeroing memory and half the time in all
 * (sequential insert 386 to 204 ns, {@code PutBench.Put}). A process that runs large transactions
 * one after another keeps their blocks at hand instead of returning them to the OS and faulting
 * them in again.
 *
 * <p>Settings (system properties, read once): {@code memdb.pool.maxBytes} (default 512 MiB, 0
 * disables pooling) and {@code memdb.pool.maxBlockBytes} (default 256 MiB). {@link
 * dev.memdb.MemDB#trimBlockPool()} gives the pooled memory back.
 */
final class BlockPool implements BlockAllocator {
  static final long MAX_POOLED_BYTES = Long.getLong("memdb.pool.maxBytes", 512L << 20);
  static final long MAX_POOLED_BLOCK = Long.getLong("memdb.pool.maxBlockBytes", 256L << 20);

  static final BlockPool INSTANCE = new BlockPool(SharedArenaAllocator.INSTANCE);

  // Pooled sizes are powers of two from 64 B up to MAX_POOLED_BLOCK: one stack per exponent.
  private final ArrayDeque<Block>[] free;
  private final BlockAllocator backing;
  private final AtomicLong pooledBytes = new AtomicLong();

  @SuppressWarnings("unchecked")
  BlockPool(BlockAllocator backing) {
    this.backing = backing;
    this.free = new ArrayDeque[64];
    for (int i = 0; i < free.length; i++) {
      free[i] = new ArrayDeque<>();
    }
  }

  @Override
  public Block allocate(long bytes) {
    if (poolable(bytes)) {
      ArrayDeque<Block> stack = free[Long.numberOfTrailingZeros(bytes)];
      synchronized (stack) {
        Block b = stack.pollFirst();
        if (b != null) {
          pooledBytes.addAndGet(-bytes);
          return b;
        }
      }
    }
    return backing.allocate(bytes);
  }

  @Override
  public void free(Block block) {
    long bytes = block.segment().byteSize();
    if (poolable(bytes) && pooledBytes.addAndGet(bytes) <= MAX_POOLED_BYTES) {
      ArrayDeque<Block> stack = free[Long.numberOfTrailingZeros(bytes)];
      synchronized (stack) {
        stack.addFirst(block);
      }
      return;
    }
    if (poolable(bytes)) {
      pooledBytes.addAndGet(-bytes);
    }
    backing.free(block);
  }

  /**
   * Frees every pooled block.
   *
   * @return bytes given back to the operating system
   */
  long trim() {
    long trimmed = 0;
    for (ArrayDeque<Block> stack : free) {
      while (true) {
        Block b;
        synchronized (stack) {
          b = stack.pollFirst();
        }
        if (b == null) {
          break;
        }
        long bytes = b.segment().byteSize();
        pooledBytes.addAndGet(-bytes);
        trimmed += bytes;
        backing.free(b);
      }
    }
    return trimmed;
  }

  /** Bytes parked in the pool now. */
  long pooledBytes() {
    return pooledBytes.get();
  }

  private static boolean poolable(long bytes) {
    return bytes <= MAX_POOLED_BLOCK && Long.bitCount(bytes) == 1 && bytes >= 64;
  }
}
