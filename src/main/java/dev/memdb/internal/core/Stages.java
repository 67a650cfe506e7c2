package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.KeyFlags;
import dev.memdb.StageVisitor;
import dev.memdb.internal.arena.ArenaMark;
import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Nested stages, checkpoints and the rollback through the value log (reference §1.5, §2.3, §3.4),
 * plus the bulk operations reset, discardValues and close. Everything here runs under the write
 * lock; everything that changes several keys at once is a bulk change of the {@link ReadGate}, so
 * readers see it all or nothing. A rollback ({@link Rollback}) may let writers in between its
 * chunks: every method here first finishes one that is under way.
 */
public final class Stages {
  private final Store store; // immutable
  private final Rollback rollback; // immutable reference

  /** Writer-only: where each open stage started in the value log. */
  private ArenaMark[] starts = new ArenaMark[2];

  /** Written by the writer, read by any thread (volatile). */
  private volatile int depth;

  /** Bumped when the outermost stage ends: snapshots taken inside it become invalid. */
  volatile long outerStageSerial;

  /** Bumped by reset, discardValues, close and a revert with no stage open: all snapshots die. */
  volatile long snapshotGeneration;

  /**
   * A cleanup's step at its linearization point, made once so that a rollback allocates nothing.
   */
  private final Runnable popStage = this::pop;

  /** A revert's step at its linearization point: with no stage open, snapshots die. */
  private final Runnable endSnapshotsIfNoStage =
      () -> {
        if (depth == 0) {
          snapshotGeneration++; // a snapshot taken after the mark would now read rewritten history
        }
      };

  Stages(Store store) {
    this.store = store;
    this.rollback = new Rollback(store);
  }

  /**
   * Sets how many value-log records a rollback undoes before it lets queued writers in.
   *
   * @param records at least 1; {@code Integer.MAX_VALUE} holds the lock for the whole rollback
   */
  public void setRollbackChunkRecords(int records) {
    rollback.setChunkRecords(records);
  }

  /**
   * Test seam: runs {@code hook} at every chunk boundary of a rollback, under the write lock, just
   * before the rollback looks for queued writers.
   *
   * @param hook the hook, or null
   */
  public void setRollbackChunkBoundaryHook(Runnable hook) {
    rollback.setChunkBoundaryHook(hook);
  }

  /**
   * Writer: before a flags-only write changes {@code node}, moves it to the state a rollback under
   * way leaves (readers see that state already); nothing if none is under way.
   */
  void settleForFlagsWrite(long node) {
    rollback.settle(node);
  }

  /**
   * Writer: after a flags-only write changed an existing node's flags, lets a rollback still
   * counting correct what it counted of the node; nothing if none is counting.
   */
  void flagsWritten(long node, int oldFlags, int newFlags) {
    rollback.flagsWritten(node, oldFlags, newFlags);
  }

  /**
   * Test seam: whether a rollback is under way and not yet visible to readers (its counting pass).
   *
   * @return true between the start of a cleanup or revert and its linearization point
   */
  public boolean rollbackCounting() {
    return rollback.counting();
  }

  /**
   * Writer: finishes a rollback under way, for a writer operation other than a flags-only write.
   * Every writer method of this class starts with it ({@link #enter}).
   */
  public void finishRollback() {
    rollback.finish();
  }

  /** Writer entry: the lock is held, and no rollback is left half done. */
  private void enter() {
    assert holdsWriteLock();
    rollback.finish();
  }

  /** Writer: finishes a rollback under way, so that the tree shows one state to a visit. */
  void settle() {
    enter();
  }

  /**
   * Returns the number of open stages; any thread.
   *
   * @return depth
   */
  public int depth() {
    return depth;
  }

  /** Writer: the position the innermost stage started at, or {@code Long.MIN_VALUE} if none. */
  long innermostStartPosition() {
    int d = depth;
    return d == 0 ? Long.MIN_VALUE : starts[d - 1].position();
  }

  /**
   * Writer: the mark a new snapshot reads as of: the outermost stage's start, or the tail.
   *
   * @return the mark
   */
  public ArenaMark snapshotMark() {
    enter();
    return depth > 0 ? starts[0] : store.vlog.arena().mark();
  }

  /**
   * Writer: opens a stage.
   *
   * @return its handle, the new depth
   */
  public int open() {
    enter();
    int d = depth;
    if (d == starts.length) {
      starts = Arrays.copyOf(starts, d * 2);
    }
    starts[d] = store.vlog.arena().mark();
    depth = d + 1;
    return d + 1;
  }

  /**
   * Writer: merges the innermost stage into its parent.
   *
   * @param handle the innermost stage's handle; 0 is a no-op
   */
  public void release(int handle) {
    enter();
    if (handle == 0) {
      return;
    }
    int d = depth;
    if (handle != d) {
      throw new IllegalStateException(
          "cannot release stage "
              + handle
              + ": only the innermost stage "
              + d
              + " can be released");
    }
    if (d == 1 && store.vlog.tailPosition() != starts[0].position()) {
      Counters c = store.counters;
      if (!c.dirtyPlain()) {
        c.publish(c.keyCountPlain(), c.dataSizePlain(), true);
      }
    }
    pop();
  }

  /**
   * Writer: rolls back the innermost stage.
   *
   * @param handle the innermost stage's handle; 0 or a handle above the depth is a no-op
   * @return value-log records undone
   */
  public long cleanup(int handle) {
    enter();
    int d = depth;
    if (handle == 0 || handle > d) {
      return 0;
    }
    if (handle < d) {
      throw new IllegalStateException(
          "cannot clean up stage "
              + handle
              + " while stage "
              + d
              + " is open: clean up the innermost stage first");
    }
    ArenaMark start = starts[d - 1];
    if (store.valuesDiscarded || store.vlog.tailPosition() == start.position()) {
      pop();
      return 0;
    }
    // The stage is popped at the linearization point: a write let in before it still sees the
    // stage, one let in after it sees the stage gone.
    rollback.begin(start, popStage);
    return rollback.complete();
  }

  private void pop() {
    int d = depth - 1;
    starts[d] = null;
    depth = d;
    if (d == 0) {
      outerStageSerial++;
    }
  }

  /**
   * Writer: the current value-log position.
   *
   * @return a mark of the tail
   */
  public ArenaMark checkpoint() {
    enter();
    return store.vlog.arena().mark();
  }

  /**
   * Writer: checks that a checkpoint can be reverted to now.
   *
   * @param mark the checkpoint's mark
   * @return null if it can, else why not
   */
  public String whyNotRevertible(ArenaMark mark) {
    enter();
    if (store.valuesDiscarded) {
      return "values were discarded";
    }
    long target = mark.position();
    long tail = store.vlog.tailPosition();
    if (target > tail) {
      return "checkpoint " + mark + " is after the tail of the value log";
    }
    if (target < innermostStartPosition()) {
      return "checkpoint " + mark + " is before the start of open stage " + depth;
    }
    // After a rollback and new writes the position may fall inside a newer record: walk back.
    long cursor = tail;
    while (cursor > target) {
      cursor = store.vlog.positionBefore(cursor);
    }
    if (cursor != target) {
      return "checkpoint "
          + mark
          + " is no longer a position of this value log (it was rolled back)";
    }
    return null;
  }

  /**
   * Writer: undoes every write after a checkpoint. REQUIRES: {@link #whyNotRevertible} said yes.
   *
   * @param mark the checkpoint's mark
   * @return value-log records undone
   */
  public long revertToCheckpoint(ArenaMark mark) {
    enter();
    if (store.vlog.tailPosition() == mark.position()) {
      return 0;
    }
    rollback.begin(mark, endSnapshotsIfNoStage);
    return rollback.complete();
  }

  /**
   * Writer: visits every key whose current value was written in stage {@code handle} or later,
   * newest first.
   *
   * @param handle an open stage
   * @param visitor receives copies
   */
  public void inspect(int handle, StageVisitor visitor) {
    enter();
    if (handle < 1 || handle > depth) {
      throw new IllegalStateException(
          "stage " + handle + " is not open (open stages: 1.." + depth + ")");
    }
    store.checkValues();
    var vlog = store.vlog;
    var tree = store.tree;
    long target = starts[handle - 1].position();
    long cursor = vlog.tailPosition();
    while (cursor > target) {
      long record = cursor;
      long node = vlog.nodePlain(record);
      cursor = vlog.positionBefore(record);
      if (tree.value(node) == record) {
        visitor.visit(
            tree.key(node),
            KeyFlags.of(tree.flags(node) & NodeLayout.KEY_FLAGS_MASK),
            vlog.readPlain(record));
      }
    }
  }

  /**
   * Writer: the newest value in a key's history that satisfies a predicate.
   *
   * @param key the key
   * @param predicate tested on copies, newest first
   * @return a copy of the first match, or null
   */
  public byte[] selectValueHistory(byte[] key, Predicate<byte[]> predicate) {
    enter();
    store.checkValues();
    var tree = store.tree;
    long node = tree.search(MemorySegment.ofArray(key), key.length);
    if (node == NO_NODE || (tree.flags(node) & NodeLayout.DELETED_BIT) != 0) {
      return null;
    }
    for (long r = tree.value(node); r != NO_VALUE; r = store.vlog.previousPlain(r)) {
      byte[] v = store.vlog.readPlain(r);
      if (predicate.test(v)) {
        return v;
      }
    }
    return null;
  }

  /** Writer: empties the buffer and gives its memory back. */
  public void reset() {
    enter();
    Store st = store;
    st.gate.beginBulk();
    try {
      clearAll();
      st.valuesDiscarded = false;
    } finally {
      st.gate.endBulk();
    }
  }

  /** Writer: drops every value, keeping keys and flags; later value reads and writes fail. */
  public void discardValues() {
    enter();
    Store st = store;
    st.gate.beginBulk();
    try {
      st.valuesDiscarded = true;
      st.vlog.arena().reset();
      snapshotGeneration++;
    } finally {
      st.gate.endBulk();
    }
  }

  /** Writer: closes the buffer for ever and frees its memory. */
  public void close() {
    enter();
    Store st = store;
    st.gate.close();
    snapshotGeneration++;
    st.tree.clear();
    st.nodeArena.reset();
    st.vlog.arena().reset();
  }

  private void clearAll() {
    Store st = store;
    st.tree.clear();
    st.generation++;
    st.nodeArena.reset();
    st.vlog.arena().reset();
    Arrays.fill(starts, null);
    depth = 0;
    outerStageSerial++;
    snapshotGeneration++;
    st.counters.publish(0, 0, false);
  }

  /** For assertions at every writer entry point: the caller holds the write lock. */
  private boolean holdsWriteLock() {
    return store.gate.writeLock().isHeldByCurrentThread();
  }
}
