package dev.memdb.internal.arena;

import dev.memdb.internal.arena.BlockAllocator.Block;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Allocates blocks ahead of need on one process-wide daemon thread, so that a writer holding a
 * buffer's write lock only swaps in a block that is already zeroed and faulted in.
 *
 * <p>Why a thread: a fresh block costs about 1.5 µs per 4 KiB page here (the allocator zeroes it
 * and every first touch faults a page in): 48 ms for 128 MiB, paid under the write lock while every
 * locker waits. One thread serves every buffer: preparations are rare (one per block) and a late
 * one only makes the writer fall back to a small or synchronous block. The thread ends after {@link
 * #IDLE_SECONDS} idle seconds and is started again on demand.
 */
final class BlockPreparer {
  /** Seconds the thread waits for work before it ends. */
  static final long IDLE_SECONDS = 30;

  private static final ThreadPoolExecutor EXECUTOR =
      new ThreadPoolExecutor(
          1,
          1,
          IDLE_SECONDS,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          task -> Thread.ofPlatform().daemon().name("memdb-block-preparer").unstarted(task));

  static {
    EXECUTOR.allowCoreThreadTimeOut(true);
  }

  private BlockPreparer() {}

  /**
   * Starts allocating a block on the preparer thread.
   *
   * @param allocator where the block comes from
   * @param bytes its size
   * @return the preparation, to take or drop the block
   */
  static Preparation start(BlockAllocator allocator, long bytes) {
    Preparation p = new Preparation(allocator, bytes);
    EXECUTOR.execute(p);
    return p;
  }

  /**
   * One block under preparation. Its owner (the writer) either takes the block or drops it; a block
   * dropped before it was ready is freed by the preparer thread when it is.
   *
   * <p><b>Ownership.</b> {@code size} is immutable; the rest is guarded by this object's monitor,
   * shared by the preparer thread and the writer.
   */
  static final class Preparation implements Runnable {
    private final BlockAllocator allocator; // immutable
    private final long size; // immutable

    private Block block;
    private boolean started;
    private boolean done;
    private boolean dropped;

    private Preparation(BlockAllocator allocator, long size) {
      this.allocator = allocator;
      this.size = size;
    }

    /** The size of the block being prepared. */
    long size() {
      return size;
    }

    @Override
    public void run() {
      synchronized (this) {
        if (dropped) {
          done = true; // dropped while queued: do not allocate for nobody
          return;
        }
        started = true;
      }
      Block b = null;
      try {
        b = allocator.allocate(size);
      } catch (RuntimeException | OutOfMemoryError e) {
        // No block: the writer falls back to allocating one itself, which reports the failure.
      }
      boolean free;
      synchronized (this) {
        free = dropped;
        if (!free) {
          block = b;
        }
        done = true;
        notifyAll();
      }
      if (free && b != null) {
        allocator.free(b);
      }
    }

    /**
     * Writer: whether the preparation finished (with a block or without one).
     *
     * @return true once {@link #take()} may be called
     */
    synchronized boolean isDone() {
      return done;
    }

    /**
     * Writer: takes the block of a finished preparation.
     *
     * @return the block, or null if it could not be had
     */
    synchronized Block take() {
      assert done : "taking a block still being prepared";
      Block b = block;
      block = null;
      dropped = true;
      return b;
    }

    /**
     * Writer: takes the block, waiting for it if the preparer is allocating it now; a preparation
     * still queued is given up instead (the caller allocates the block itself: waiting would mean
     * waiting for other buffers' preparations too). An interrupt does not end the wait, which is
     * shorter than allocating the block afresh; the interrupt status is kept.
     *
     * @return the block, or null if the preparation had not started or its allocation failed
     */
    Block await() {
      boolean interrupted = false;
      try {
        synchronized (this) {
          if (!started) {
            dropped = true;
            return null;
          }
          while (!done) {
            try {
              wait();
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          return take();
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /**
     * Writer: gives the block up and frees it before returning: waits for a running allocation, so
     * that a buffer that is closed or reset owns nothing once the call returns. A queued
     * preparation is given up without waiting.
     */
    void release() {
      Block b = await();
      if (b != null) {
        allocator.free(b);
      }
    }

    /** Writer: gives the block up; frees it now if it is ready, else when it is. */
    void drop() {
      Block b;
      synchronized (this) {
        b = block;
        block = null;
        dropped = true;
      }
      if (b != null) {
        allocator.free(b);
      }
    }
  }
}
