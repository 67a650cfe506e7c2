package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.internal.arena.ArenaMark;
import dev.memdb.internal.layout.NodeLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The undo of value-log records after a mark (a stage's cleanup, a checkpoint's revert), in bounded
 * chunks so that a rollback of a very large stage does not hold the write lock for its whole
 * length. Writer-only: every method runs under the write lock.
 *
 * <p>{@link #begin} is the rollback's linearization point: a read-only pass computes the counters
 * the rollback leaves, then the gate switches readers to reading as of the target (they compute the
 * result themselves) and the counters are published. {@link #complete} then undoes the records
 * newest first. Every {@code chunkRecords} records it looks at the lock's queue: if writers wait,
 * it lets them in and takes the lock back after them (or after {@link #HANDOFF_NANOS}). Those
 * writers find the rollback under way and either
 *
 * <ul>
 *   <li>settle the one node they change ({@link #settle}: a flags-only write, the pessimistic-lock
 *       path; it appends nothing to the value log), moving it straight to its state as of the
 *       target, which is what readers already see of it; or
 *   <li>finish the whole rollback first ({@link #finish}: every other writer operation, which may
 *       append to the value log, truncate it or read it as a whole).
 * </ul>
 *
 * The chunked pass skips a record whose node no longer holds it as its value: only a settled node
 * can be in that state, since the pass undoes each node's records newest first.
 */
final class Rollback {
  /**
   * The longest the rollback waits, at one chunk boundary, for the writers queued there to have the
   * lock: lockers then wait for at most about one chunk and this, and a steady stream of them
   * cannot stop the rollback.
   */
  static final long HANDOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final Store store; // immutable

  // Writer-only (under the write lock).
  private int chunkRecords = Integer.MAX_VALUE;
  private Runnable chunkBoundaryHook; // tests only; null in production
  private ArenaMark mark; // the target of the rollback under way, or null
  private long target;
  private long cursor; // the next record to undo, newest first; <= target once all are undone
  private long serial; // counts rollbacks begun, so complete() knows whether its own is under way

  Rollback(Store store) {
    this.store = store;
  }

  /**
   * Sets how many records a rollback undoes between two looks at the lock's queue.
   *
   * @param records at least 1; {@code Integer.MAX_VALUE} holds the lock for the whole rollback
   */
  void setChunkRecords(int records) {
    this.chunkRecords = records;
  }

  /** Test seam: runs at every chunk boundary, under the lock, before the look at the queue. */
  void setChunkBoundaryHook(Runnable hook) {
    this.chunkBoundaryHook = hook;
  }

  /** Whether a rollback's chunks are still being undone. */
  boolean underWay() {
    return mark != null;
  }

  /**
   * Starts the rollback to {@code to}: after it returns every reader sees each key as of the mark,
   * and the counters are the ones the rollback leaves. REQUIRES: no rollback under way.
   *
   * @param to the mark the value log is rolled back to, before its tail
   * @return the number of records the rollback undoes
   */
  long begin(ArenaMark to) {
    assert mark == null : "a rollback is already under way";
    Store st = store;
    var tree = st.tree;
    var vlog = st.vlog;
    Counters c = st.counters;
    long keyCount = c.keyCountPlain();
    long dataSize = c.dataSizePlain();
    boolean dirty = c.dirtyPlain();
    long t = to.position();
    long records = 0;
    for (long r = vlog.tailPosition(); r > t; r = vlog.positionBefore(r)) {
      records++;
      long previous = vlog.previousPlain(r);
      dataSize -= vlog.lengthPlain(r);
      if (previous != NO_VALUE) {
        dataSize += vlog.lengthPlain(previous);
      } else if ((tree.flags(vlog.nodePlain(r)) & NodeLayout.KEY_FLAGS_MASK & RevertRule.PERSISTENT)
          != 0) {
        dirty = true;
      } else {
        keyCount--;
        dataSize -= tree.keyLength(vlog.nodePlain(r));
      }
    }
    c.beginPublish();
    st.gate.beginRevert(t);
    c.publish(keyCount, dataSize, dirty);
    mark = to;
    serial++;
    target = t;
    cursor = vlog.tailPosition();
    return records;
  }

  /**
   * Undoes the records of the rollback begun last, letting queued writers in between chunks, and
   * ends it. Returns early if a writer let in finished it (and perhaps began another one).
   */
  void complete() {
    long mine = serial;
    ReentrantLock lock = store.gate.writeLock();
    try {
      while (ours(mine) && !undo(chunkRecords)) {
        if (chunkBoundaryHook != null) {
          chunkBoundaryHook.run();
        }
        // A reentrant hold (a listener's call) cannot be given away.
        if (lock.hasQueuedThreads() && lock.getHoldCount() == 1) {
          handOff(lock);
        }
      }
      if (ours(mine)) {
        end();
      }
    } catch (RuntimeException | Error e) {
      if (ours(mine)) {
        abandon();
      }
      throw e;
    }
  }

  private boolean ours(long begun) {
    return mark != null && serial == begun;
  }

  /** Finishes the rollback under way, if any, without letting other writers in. */
  void finish() {
    if (mark == null) {
      return;
    }
    try {
      undo(Integer.MAX_VALUE);
      end();
    } catch (RuntimeException | Error e) {
      abandon();
      throw e;
    }
  }

  /**
   * Moves one node straight to its state as of the rollback's target, if a rollback is under way
   * and the node holds a record it has not undone yet: a flags-only write about to change the node
   * must start from the state readers see.
   *
   * @param node a node, or {@link NodeLayout#NO_NODE}
   */
  void settle(long node) {
    if (mark == null || node == NO_NODE) {
      return;
    }
    var tree = store.tree;
    long r = tree.value(node);
    if (r == NO_VALUE || r <= target) {
      return;
    }
    do {
      r = store.vlog.previousPlain(r);
    } while (r != NO_VALUE && r > target);
    undoTo(node, r);
  }

  /** Undoes up to {@code n} records; true once every record after the target is undone. */
  private boolean undo(int n) {
    var tree = store.tree;
    var vlog = store.vlog;
    long t = target;
    long c = cursor;
    for (int i = 0; i < n && c > t; i++) {
      long record = c;
      long node = vlog.nodePlain(record);
      c = vlog.positionBefore(record);
      if (tree.value(node) == record) {
        undoTo(node, vlog.previousPlain(record));
      }
    }
    cursor = c;
    return c <= t;
  }

  private void undoTo(long node, long previous) {
    var tree = store.tree;
    tree.beginChange(node);
    tree.setValue(node, previous);
    if (previous == NO_VALUE) {
      tree.setFlags(node, RevertRule.flagsAfterUndoingFirstValue(tree.flags(node)));
    }
    tree.endChange(node);
  }

  /** Every record is undone: truncate the log, then readers read the current state again. */
  private void end() {
    ArenaMark m = mark;
    mark = null;
    try {
      store.vlog.arena().truncate(m);
    } finally {
      store.gate.endRevert();
    }
  }

  /** A failure halfway (never seen): stop the rollback where it is, as an unchunked one would. */
  private void abandon() {
    mark = null;
    store.gate.endRevert();
  }

  /**
   * Releases the lock to the writers queued on it and takes it back once they have had it. A plain
   * unlock and lock would let this thread barge in again before a woken writer runs.
   */
  private static void handOff(ReentrantLock lock) {
    lock.unlock();
    try {
      long start = System.nanoTime();
      while (lock.hasQueuedThreads() && System.nanoTime() - start < HANDOFF_NANOS) {
        Thread.yield();
      }
    } finally {
      lock.lock();
    }
  }
}
