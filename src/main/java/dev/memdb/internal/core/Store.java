package dev.memdb.internal.core;

import dev.memdb.FlagsOp;
import dev.memdb.KeyFlags;
import dev.memdb.internal.arena.AheadBudget;
import dev.memdb.internal.arena.ArenaListener;
import dev.memdb.internal.arena.BlockAllocator;
import dev.memdb.internal.arena.MultiBlockArena;
import dev.memdb.internal.arena.SingleBlockArena;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.ReadOutcome;
import dev.memdb.internal.tree.RedBlackTree;
import dev.memdb.internal.tree.TreeReader;
import dev.memdb.internal.vlog.ValueLog;
import java.lang.foreign.MemorySegment;

/**
 * The state of one buffer — node block and tree, value log, counters, stages — and the entry points
 * of its lock-free point reads. Writes live in {@link WritePath} and {@link Stages}, iteration in
 * {@link Cursor}, the read loop in {@link OptimisticRead} and the point-read attempt in {@link
 * ReadContext}.
 *
 * <p><b>Ownership.</b> The references below are immutable. Of the objects they name, what a reader
 * may touch is said on each: the gate, the counters' seqlock, the node block and value-log tables
 * (acquire), node versions (acquire) and the two volatile fields here; everything else is
 * writer-only, under the gate's write lock.
 */
public final class Store {
  final ReadGate gate = new ReadGate();
  final Counters counters = new Counters();
  final SingleBlockArena nodeArena;
  final RedBlackTree tree;
  final TreeReader reader;
  final ValueLog vlog;
  final Stages stages;
  final WritePath writes;
  final BatchCache batches = new BatchCache();

  /** Bumped by reset: node references of earlier generations mean nothing. Any thread. */
  volatile long generation;

  /** Set by discardValues until reset: values are gone, keys and flags remain. Any thread. */
  volatile boolean valuesDiscarded;

  /**
   * Creates an empty store; it allocates nothing until the first write.
   *
   * @param allocator where blocks come from
   * @param initialBlockSize first block size of each arena
   * @param maxBlockSize block size growth stops at
   * @param maxIndexBytes the largest the node block may grow to
   * @param ahead the bytes both arenas may hold in blocks prepared ahead
   * @param events told of blocks allocated and freed
   */
  public Store(
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBlockSize,
      long maxIndexBytes,
      AheadBudget ahead,
      ArenaListener events) {
    // The nodes lie in one block that moves when full: a tree walk then resolves one segment.
    this.nodeArena =
        new SingleBlockArena(
            "nodes", allocator, initialBlockSize, maxIndexBytes, events, gate::relocated, ahead);
    this.tree = new RedBlackTree(nodeArena);
    this.reader = new TreeReader(tree);
    this.vlog =
        new ValueLog(
            new MultiBlockArena(
                "values", allocator, initialBlockSize, maxBlockSize, events, ahead));
    this.stages = new Stages(this);
    this.writes = new WritePath(this);
  }

  /**
   * Returns the gate (lock, epoch, closed state).
   *
   * @return the gate
   */
  public ReadGate gate() {
    return gate;
  }

  /**
   * Returns the tree, for the writer and for invariant checks under the write lock.
   *
   * @return the red-black tree
   */
  public RedBlackTree tree() {
    return tree;
  }

  /**
   * Returns the write path.
   *
   * @return set, delete, updateFlags
   */
  public WritePath writes() {
    return writes;
  }

  /**
   * Returns stages, checkpoints and rollback.
   *
   * @return the stage stack
   */
  public Stages stages() {
    return stages;
  }

  // ---------------------------------------------------------------- point reads

  /** Returned by {@link #getInto} for a key with no value. */
  public static final long ABSENT = ReadContext.ABSENT;

  /**
   * Reads a key's current value.
   *
   * @param key the key
   * @return a copy, {@code byte[0]} for a tombstone, null if absent, flag-only or rolled back
   */
  public byte[] get(byte[] key) {
    return getCopy(key, ReadGate.NO_LIMIT, null);
  }

  /**
   * Reads a key's value as of a snapshot.
   *
   * @param key the key
   * @param snapshot the snapshot; checked before each attempt, so one invalidated meanwhile does
   *     not answer
   * @return a copy, {@code byte[0]} for a tombstone, null if the key had no value then
   */
  byte[] getAsOf(byte[] key, SnapshotView snapshot) {
    return getCopy(key, snapshot.position(), snapshot);
  }

  private byte[] getCopy(byte[] key, long asOf, SnapshotView snapshot) {
    ReadContext c = ReadContext.current();
    c.request(c.loadKey(key), key.length, asOf, snapshot, null, null, true);
    return c.readValue(this) == ABSENT ? null : c.takeResult();
  }

  /**
   * Reads a key's current value into a caller's segment, allocating nothing.
   *
   * @param key the key
   * @param dst where the value is copied, from offset 0, if it fits
   * @return the value's length (copied only if {@code <= dst.byteSize()}), or {@link #ABSENT}
   */
  public long getInto(MemorySegment key, MemorySegment dst) {
    ReadContext c = ReadContext.current();
    c.request(key, key.byteSize(), ReadGate.NO_LIMIT, null, null, dst, false);
    return c.readValue(this);
  }

  /**
   * Reads a key's current value into a caller's array, allocating nothing.
   *
   * @param key the key
   * @param dst where the value is copied, from index 0, if it fits
   * @return the value's length (copied only if {@code <= dst.length}), or {@link #ABSENT}
   */
  public long getInto(byte[] key, byte[] dst) {
    ReadContext c = ReadContext.current();
    c.request(c.loadKey(key), key.length, ReadGate.NO_LIMIT, null, dst, null, false);
    return c.readValue(this);
  }

  /**
   * Reads a key's value as of a snapshot into a caller's array, allocating nothing.
   *
   * @return the value's length (copied only if {@code <= dst.length}), or {@link #ABSENT}
   */
  long getIntoAsOf(byte[] key, byte[] dst, SnapshotView snapshot) {
    ReadContext c = ReadContext.current();
    c.request(c.loadKey(key), key.length, snapshot.position(), snapshot, dst, null, false);
    return c.readValue(this);
  }

  /**
   * Reads a key's value as of a snapshot into a caller's segment, allocating nothing.
   *
   * @return the value's length (copied only if {@code <= dst.byteSize()}), or {@link #ABSENT}
   */
  long getIntoAsOf(MemorySegment key, MemorySegment dst, SnapshotView snapshot) {
    ReadContext c = ReadContext.current();
    c.request(key, key.byteSize(), snapshot.position(), snapshot, null, dst, false);
    return c.readValue(this);
  }

  /**
   * Reads a key's flags.
   *
   * @param key the key
   * @return the flags, null if absent or rolled back
   */
  public KeyFlags getFlags(byte[] key) {
    long f = flagsWord(key);
    return f == ReadContext.NO_FLAGS ? null : KeyFlags.of((int) f);
  }

  /** The key flags of the current state, or {@link ReadContext#NO_FLAGS}; lock-free. */
  private long flagsWord(byte[] key) {
    ReadContext c = ReadContext.current();
    c.request(c.loadKey(key), key.length, ReadGate.NO_LIMIT, null, null, null, false);
    return c.readFlags(this);
  }

  /**
   * Reader: whether a flags-only update would change nothing, so that it may return without the
   * write lock (a transaction locks keys it already locked again and again). Only if the key is
   * present, applying {@code ops} to its flags gives the same flags, and they hold a persistent
   * flag: a persistent flag was written with the dirty flag set, and only a reset clears that
   * (removing the key too), so the buffer is dirty and the update has nothing to set. The answer is
   * the linearizable flag read's; values discarded before or during the read give false (the write
   * path then throws).
   *
   * @param key the key
   * @param ops the update's flag operations, none null
   * @return true if the update is a no-op at the moment of the read
   */
  public boolean flagsUpdateChangesNothing(byte[] key, FlagsOp[] ops) {
    if (ops.length == 0 || valuesDiscarded) {
      return false;
    }
    long f = flagsWord(key);
    if (f == ReadContext.NO_FLAGS || (f & RevertRule.PERSISTENT) == 0) {
      return false;
    }
    return WritePath.applied((int) f, ops) == (int) f && !valuesDiscarded;
  }

  /**
   * The flags word a revert to {@code target} leaves on a node: if every value of the key is newer
   * than the target, its first value is undone ({@link RevertRule}). Applied to a node the revert
   * already reached, it changes nothing.
   *
   * @return the flags word, or {@link ReadOutcome#RETRY} if the history read was torn
   */
  long flagsAfterRevert(int flags, long record, long target) {
    if (record == NodeLayout.NO_VALUE || record <= target) {
      return flags;
    }
    long kept = vlog.asOf(vlog.arena().blocksAcquire(), record, target);
    if (kept == ReadOutcome.RETRY) {
      return ReadOutcome.RETRY;
    }
    return kept != NodeLayout.NO_VALUE ? flags : RevertRule.flagsAfterUndoingFirstValue(flags);
  }

  /**
   * Returns the live key count; linearizable with the other reads.
   *
   * @return keys with a value, a tombstone or flags
   */
  public long keyCount() {
    gate.checkOpen();
    return counters.keyCount();
  }

  /**
   * Returns the data size; linearizable with the other reads.
   *
   * @return key plus current value bytes of live keys
   */
  public long dataSize() {
    gate.checkOpen();
    return counters.dataSize();
  }

  /**
   * Returns the dirty flag; linearizable with the other reads.
   *
   * @return true once the buffer holds a write that matters for commit
   */
  public boolean isDirty() {
    gate.checkOpen();
    return counters.dirty();
  }

  /**
   * Returns the off-heap bytes allocated by both arenas.
   *
   * @return bytes
   */
  public long memoryFootprint() {
    return nodeArena.bytesAllocated() + vlog.arena().bytesAllocated();
  }

  /**
   * Returns the value arena.
   *
   * @return the arena of the value log
   */
  public MultiBlockArena valueArena() {
    return vlog.arena();
  }

  /**
   * Returns the node arena.
   *
   * @return the arena of the tree
   */
  public SingleBlockArena nodeArena() {
    return nodeArena;
  }

  /**
   * Returns how many reads had to start again.
   *
   * @return a count since creation
   */
  public long readRetries() {
    return gate.retries();
  }

  /**
   * Returns how many reads took the write lock.
   *
   * @return a count since creation
   */
  public long readFallbacks() {
    return gate.fallbacks();
  }

  /**
   * Opens an iterator.
   *
   * @param lower inclusive lower bound or null
   * @param upper exclusive upper bound or null
   * @param ascending direction
   * @param withFlagOnly whether flag-only keys are yielded
   * @return the iterator, positioned on its first key
   */
  public dev.memdb.MemDBIterator iterator(
      byte[] lower, byte[] upper, boolean ascending, boolean withFlagOnly) {
    gate.checkOpen();
    return new Cursor(this, lower, upper, ascending, withFlagOnly, null);
  }

  /**
   * Writer: visits {@code [lower, upper)} in place, as {@link dev.memdb.MemDB#forEachExclusive}
   * describes. REQUIRES: the caller holds the write lock and keeps writes out of the visitor.
   *
   * @throws IllegalStateException after discardValues
   */
  public void visitExclusive(byte[] lower, byte[] upper, dev.memdb.EntryViewVisitor visitor) {
    stages.settle();
    checkValues();
    ExclusiveVisit.run(this, lower, upper, visitor);
  }

  void checkValues() {
    if (valuesDiscarded) {
      gate.checkOpen();
      throw valuesDiscarded();
    }
  }

  static IllegalStateException valuesDiscarded() {
    return new IllegalStateException(
        "MemDB values were discarded (discardValues); only keys and flags remain");
  }
}
