package dev.memdb.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gives the write lock, for a moment, to the writers queued on it, and takes it back once they have
 * had it: a long writer operation (a rollback in chunks) uses it between two chunks. Each writer
 * that gets in says so ({@link #countLetIn}), so the holder waits for the ones that were queued and
 * not for an empty queue, which a steady stream of writers would never leave.
 */
final class LockHandOff {
  /**
   * The longest the holder waits at one hand-off for the writers queued there to have the lock:
   * they then wait for at most about one chunk and this, and a steady stream of them cannot stop
   * the holder (it can slow it by this much per chunk).
   */
  static final long MAX_WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private static final VarHandle LET_IN;

  static {
    try {
      LET_IN =
          MethodHandles.lookup()
              .findVarHandle(LockHandOff.class, "letIn", long.class)
              .withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Writers let in: written under the lock (release), read by the holder while it waits without the
   * lock (acquire).
   */
  @SuppressWarnings("unused") // through LET_IN
  private long letIn;

  /** Writer, under the lock: one more writer got in while a hand-off may be waiting for it. */
  void countLetIn() {
    LET_IN.setRelease(this, (long) LET_IN.get(this) + 1);
  }

  /**
   * Releases {@code lock} to the writers queued on it and takes it back once they have had it (or
   * after {@link #MAX_WAIT_NANOS}). A plain unlock and lock would let this thread barge in again
   * before a woken writer runs. REQUIRES: the caller holds the lock exactly once.
   *
   * @param lock the write lock
   */
  void handOff(ReentrantLock lock) {
    int queued = lock.getQueueLength();
    long before = (long) LET_IN.get(this);
    lock.unlock();
    try {
      long start = System.nanoTime();
      while ((long) LET_IN.getAcquire(this) - before < queued
          && lock.hasQueuedThreads()
          && System.nanoTime() - start < MAX_WAIT_NANOS) {
        Thread.yield();
      }
    } finally {
      // Barge back in rather than park: a parked thread waits for a time slice to be woken
      // when the cores are busy, once per chunk.
      while (!lock.tryLock()) {
        Thread.yield();
      }
    }
  }
}
