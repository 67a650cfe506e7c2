package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.internal.arena.ArenaMark;
import dev.memdb.internal.layout.NodeLayout;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The undo of value-log records after a mark (a stage's cleanup, a checkpoint's revert), in bounded
 * chunks so that a rollback of a very large stage does not hold the write lock for its whole
 * length. Writer-only: every method runs under the write lock.
 *
 * <p>A rollback has two passes over the records after the mark, newest first, both in chunks of
 * {@code chunkRecords} records; at every chunk boundary, if writers wait on the lock, it lets them
 * in and takes the lock back after them ({@link LockHandOff}).
 *
 * <ol>
 *   <li><b>Counting</b> (read-only): the change of the key count and data size the rollback makes.
 *       Readers still see the current state; the rollback has not happened yet for anyone. At its
 *       end comes the linearization point: the gate switches readers to reading as of the target
 *       (they compute the result themselves), the counters are published and the caller's own step
 *       runs (the stage is popped, snapshots are invalidated).
 *   <li><b>Undoing</b>: each record is undone, moving its node to the previous value.
 * </ol>
 *
 * Writers let in at a boundary find the rollback under way and either
 *
 * <ul>
 *   <li>change only flags (the pessimistic-lock path; it appends nothing to the value log): during
 *       the counting pass the write happens before the rollback, and {@link #flagsWritten} corrects
 *       the count of a node already counted whose flags now decide otherwise whether the node
 *       outlives the rollback; during the undoing pass {@link #settle} first moves the one node
 *       straight to its state as of the target, which is what readers already see of it; or
 *   <li>finish the whole rollback first ({@link #finish}: every other writer operation, which may
 *       append to the value log, truncate it or read it as a whole).
 * </ul>
 *
 * The undoing pass skips a record whose node no longer holds it as its value: only a settled node
 * can be in that state, since the pass undoes each node's records newest first.
 */
final class Rollback {
  private static final int IDLE = 0;
  private static final int COUNTING = 1;
  private static final int UNDOING = 2;

  private final Store store; // immutable
  private final LockHandOff handOff = new LockHandOff(); // immutable reference

  // Writer-only (under the write lock).
  private int chunkRecords = Integer.MAX_VALUE;
  private Runnable chunkBoundaryHook; // tests only; null in production
  private int phase = IDLE;
  private ArenaMark mark; // the target of the rollback under way, or null
  private Runnable atLinearization; // the caller's step at the linearization point
  private long cursor; // the next record to count or undo, newest first; <= target at the end
  private long records; // records counted so far
  private long keyCountChange; // what the rollback does to the counters, from the records counted
  private long dataSizeChange;
  private long persistentKept; // counted nodes whose first value goes but whose flags keep them
  private long serial; // counts rollbacks begun, so complete() knows whether its own is under way
  private long endedSerial; // the last rollback ended, and its number of records
  private long endedRecords;

  Rollback(Store store) {
    this.store = store;
  }

  /**
   * Sets how many records a rollback counts or undoes between two looks at the lock's queue.
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

  /** Whether a rollback is under way and has not reached its linearization point yet. */
  boolean counting() {
    return phase == COUNTING;
  }

  /**
   * Starts a rollback to {@code to}; {@link #complete} runs it. REQUIRES: no rollback under way,
   * records after the mark.
   *
   * @param to the mark the value log is rolled back to, before its tail
   * @param atLinearization run at the linearization point, inside the readers' switch to the target
   *     (a field of the caller, so that nothing is allocated)
   */
  void begin(ArenaMark to, Runnable atLinearization) {
    assert phase == IDLE : "a rollback is already under way";
    this.mark = to;
    this.atLinearization = atLinearization;
    this.cursor = store.vlog.tailPosition();
    this.records = 0;
    this.keyCountChange = 0;
    this.dataSizeChange = 0;
    this.persistentKept = 0;
    this.serial++;
    this.phase = COUNTING;
  }

  /**
   * Runs the rollback begun last, letting queued writers in between chunks, and ends it. Returns
   * early if a writer let in finished it (and perhaps began another one).
   *
   * @return the number of records the rollback undid
   */
  long complete() {
    long mine = serial;
    long seen = 0;
    ReentrantLock lock = store.gate.writeLock();
    try {
      while (ours(mine)) {
        boolean passDone = phase == COUNTING ? count(chunkRecords) : undo(chunkRecords);
        seen = records;
        if (passDone) {
          if (phase == COUNTING) {
            linearize();
            continue; // the undoing pass starts at once: no writer was let in since the last look
          }
          end();
          break;
        }
        if (chunkBoundaryHook != null) {
          chunkBoundaryHook.run();
        }
        // A reentrant hold (a listener's call) cannot be given away.
        if (lock.hasQueuedThreads() && lock.getHoldCount() == 1) {
          handOff.handOff(lock);
        }
      }
    } catch (RuntimeException | Error e) {
      if (ours(mine)) {
        abandon();
      }
      throw e;
    }
    // Ended by a writer let in: its count, unless yet another rollback ended since (then a floor).
    return endedSerial == mine ? endedRecords : seen;
  }

  private boolean ours(long begun) {
    return phase != IDLE && serial == begun;
  }

  /** Finishes the rollback under way, if any, without letting other writers in. */
  void finish() {
    if (phase == IDLE) {
      return;
    }
    handOff.countLetIn();
    try {
      if (phase == COUNTING) {
        count(Integer.MAX_VALUE);
        linearize();
      }
      undo(Integer.MAX_VALUE);
      end();
    } catch (RuntimeException | Error e) {
      abandon();
      throw e;
    }
  }

  /**
   * Moves one node straight to its state as of the rollback's target, if the rollback is in its
   * undoing pass and the node holds a record not undone yet: a flags-only write about to change the
   * node must start from the state readers see.
   *
   * @param node a node, or {@link NodeLayout#NO_NODE}
   */
  void settle(long node) {
    if (phase == IDLE) {
      return;
    }
    handOff.countLetIn();
    if (phase != UNDOING || node == NO_NODE) {
      return;
    }
    long target = mark.position();
    long r = store.tree.value(node);
    if (r == NO_VALUE || r <= target) {
      return;
    }
    do {
      r = store.vlog.previousPlain(r);
    } while (r != NO_VALUE && r > target);
    undoTo(node, r);
  }

  /**
   * After a flags-only write let in during the counting pass: if the node's first value is one of
   * the records already counted, and the write changed whether its flags keep it once that value is
   * undone, corrects the count.
   *
   * @param node the node written
   * @param oldFlags its flags before the write
   * @param newFlags its flags after it
   */
  void flagsWritten(long node, int oldFlags, int newFlags) {
    if (phase != COUNTING) {
      return;
    }
    boolean keptBefore = (oldFlags & NodeLayout.KEY_FLAGS_MASK & RevertRule.PERSISTENT) != 0;
    boolean keptAfter = (newFlags & NodeLayout.KEY_FLAGS_MASK & RevertRule.PERSISTENT) != 0;
    if (keptBefore == keptAfter) {
      return;
    }
    var vlog = store.vlog;
    long target = mark.position();
    long r = store.tree.value(node);
    if (r == NO_VALUE || r <= target) {
      return;
    }
    for (long p = vlog.previousPlain(r); p != NO_VALUE; p = vlog.previousPlain(r)) {
      if (p <= target) {
        return; // the node keeps a value: its flags do not decide anything
      }
      r = p;
    }
    if (r <= cursor) {
      return; // not counted yet: the counting pass reads the new flags itself
    }
    long sign = keptAfter ? 1 : -1;
    keyCountChange += sign;
    dataSizeChange += sign * store.tree.keyLength(node);
    persistentKept += sign;
  }

  /** Counts up to {@code n} records; true once every record after the target is counted. */
  private boolean count(int n) {
    var tree = store.tree;
    var vlog = store.vlog;
    long t = mark.position();
    long c = cursor;
    long keys = 0;
    long data = 0;
    long kept = 0;
    int i = 0;
    for (; i < n && c > t; i++) {
      long previous = vlog.previousPlain(c);
      data -= vlog.lengthPlain(c);
      if (previous != NO_VALUE) {
        data += vlog.lengthPlain(previous);
      } else {
        long node = vlog.nodePlain(c);
        if ((tree.flags(node) & NodeLayout.KEY_FLAGS_MASK & RevertRule.PERSISTENT) != 0) {
          kept++;
        } else {
          keys--;
          data -= tree.keyLength(node);
        }
      }
      c = vlog.positionBefore(c);
    }
    cursor = c;
    records += i;
    keyCountChange += keys;
    dataSizeChange += data;
    persistentKept += kept;
    return c <= t;
  }

  /**
   * The linearization point: from here on readers see every key as of the target, the counters are
   * the ones the rollback leaves, and the caller's step is done.
   */
  private void linearize() {
    Store st = store;
    Counters c = st.counters;
    long keyCount = c.keyCountPlain() + keyCountChange;
    long dataSize = c.dataSizePlain() + dataSizeChange;
    boolean dirty = c.dirtyPlain() || persistentKept > 0;
    c.beginPublish();
    st.gate.beginRevert(mark.position());
    atLinearization.run();
    c.publish(keyCount, dataSize, dirty);
    phase = UNDOING;
    cursor = st.vlog.tailPosition();
  }

  /** Undoes up to {@code n} records; true once every record after the target is undone. */
  private boolean undo(int n) {
    var tree = store.tree;
    var vlog = store.vlog;
    long t = mark.position();
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
    endedSerial = serial;
    endedRecords = records;
    idle();
    try {
      store.vlog.arena().truncate(m);
    } finally {
      store.gate.endRevert();
    }
  }

  /**
   * A failure halfway (never seen): stop the rollback where it is, as an unchunked one would.
   * Before the linearization point nothing has changed yet.
   */
  private void abandon() {
    boolean linearized = phase == UNDOING;
    idle();
    if (linearized) {
      store.gate.endRevert();
    }
  }

  private void idle() {
    phase = IDLE;
    mark = null;
    atLinearization = null;
  }
}
