package dev.memdb.internal.core;

import static dev.memdb.internal.arena.Address.NULL;

import dev.memdb.KeyFlags;
import dev.memdb.internal.arena.BlockAllocator;
import dev.memdb.internal.arena.BlockArena;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.tree.RedBlackTree;
import dev.memdb.internal.tree.TreeReader;
import dev.memdb.internal.vlog.ValueLog;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * The state of one buffer — node arena and tree, value log, counters, stages — and its lock-free
 * point reads. Writes live in {@link WritePath} and {@link Stages}, iteration in {@link Cursor}.
 *
 * <p>Every read here follows one pattern: read the epoch; load each block table once; walk with
 * {@link TreeReader} (which validates node by node); read the node's fields inside its version;
 * validate the epoch. Any failed check, and any {@link IndexOutOfBoundsException} or {@link
 * IllegalStateException} from a segment (a stale address, a block freed by a rollback), means
 * "start again"; after {@link ReadGate#OPTIMISTIC_ATTEMPTS} attempts the reader takes the write
 * lock so it always finishes.
 */
public final class Store {
  static final int NO_FLAGS = -1;
  static final int RETRY_FLAGS = -2;

  final ReadGate gate = new ReadGate();
  final Counters counters = new Counters();
  final BlockArena nodeArena;
  final RedBlackTree tree;
  final TreeReader reader;
  final ValueLog vlog;
  final Stages stages;
  final WritePath writes;
  final BatchCache batches = new BatchCache();

  /** Bumped by reset: node addresses of earlier generations mean nothing. */
  volatile long generation;

  /** Set by discardValues until reset: values are gone, keys and flags remain. */
  volatile boolean valuesDiscarded;

  /**
   * Creates an empty store; it allocates nothing until the first write.
   *
   * @param allocator where blocks come from
   * @param initialBlockSize first block size of each arena
   * @param maxBlockSize block size growth stops at
   * @param events told of blocks allocated and freed
   */
  public Store(
      BlockAllocator allocator,
      long initialBlockSize,
      long maxBlockSize,
      BlockArena.ArenaListener events) {
    // The nodes lie in one block that moves when full: a tree walk then resolves one segment.
    this.nodeArena =
        BlockArena.contiguous("nodes", allocator, initialBlockSize, events, gate::relocated);
    this.tree = new RedBlackTree(nodeArena);
    this.reader = new TreeReader(tree);
    this.vlog =
        new ValueLog(
            new BlockArena("values", allocator, initialBlockSize, maxBlockSize, false, events));
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
  public static final long ABSENT = -1;

  private static final long RETRY_LENGTH = -2;

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
   * Reads a key's value as of a value-log position (a snapshot).
   *
   * @param key the key
   * @param asOf the snapshot's position
   * @param stillValid checked before each attempt; a snapshot invalidated meanwhile must not answer
   * @return a copy, {@code byte[0]} for a tombstone, null if the key had no value then
   */
  byte[] getAsOf(byte[] key, long asOf, Runnable stillValid) {
    return getCopy(key, asOf, stillValid);
  }

  private byte[] getCopy(byte[] key, long asOf, Runnable stillValid) {
    KeyScratch scratch = KeyScratch.current();
    long length = read(scratch.load(key), key.length, asOf, stillValid, null, null, scratch);
    return length == ABSENT ? null : scratch.takeResult();
  }

  /**
   * Reads a key's current value into a caller's segment, allocating nothing.
   *
   * @param key the key
   * @param dst where the value is copied, from offset 0, if it fits
   * @return the value's length (copied only if {@code <= dst.byteSize()}), or {@link #ABSENT}
   */
  public long getInto(MemorySegment key, MemorySegment dst) {
    return read(key, key.byteSize(), ReadGate.NO_LIMIT, null, null, dst, null);
  }

  /**
   * Reads a key's current value into a caller's array, allocating nothing.
   *
   * @param key the key
   * @param dst where the value is copied, from index 0, if it fits
   * @return the value's length (copied only if {@code <= dst.length}), or {@link #ABSENT}
   */
  public long getInto(byte[] key, byte[] dst) {
    return read(KeyScratch.of(key), key.length, ReadGate.NO_LIMIT, null, dst, null, null);
  }

  /**
   * Reads a key's value as of a value-log position (a snapshot) into a caller's array, allocating
   * nothing.
   *
   * @return the value's length (copied only if {@code <= dst.length}), or {@link #ABSENT}
   */
  long getIntoAsOf(byte[] key, byte[] dst, long asOf, Runnable stillValid) {
    return read(KeyScratch.of(key), key.length, asOf, stillValid, dst, null, null);
  }

  /**
   * Reads a key's value as of a value-log position (a snapshot) into a caller's segment, allocating
   * nothing.
   *
   * @return the value's length (copied only if {@code <= dst.byteSize()}), or {@link #ABSENT}
   */
  long getIntoAsOf(MemorySegment key, MemorySegment dst, long asOf, Runnable stillValid) {
    return read(key, key.byteSize(), asOf, stillValid, null, dst, null);
  }

  /**
   * The one read core of every value read: optimistic attempts, then the write lock. The value goes
   * to exactly one of {@code dstArray}, {@code dstSegment} (if it fits) or a new array handed over
   * through {@code allocate}.
   *
   * @param asOf a snapshot's position, or {@link ReadGate#NO_LIMIT} for the current value
   * @param stillValid a snapshot's validity check, or null
   * @return the value's length, or {@link #ABSENT}
   */
  private long read(
      MemorySegment key,
      long keyLength,
      long asOf,
      Runnable stillValid,
      byte[] dstArray,
      MemorySegment dstSegment,
      KeyScratch allocate) {
    for (int attempt = 0; ; attempt++) {
      if (stillValid != null) {
        stillValid.run();
      }
      checkValues();
      int e = gate.awaitReadableEpoch();
      try {
        long r =
            tryRead(
                key,
                keyLength,
                Math.min(asOf, gate.readLimit(e)),
                e,
                dstArray,
                dstSegment,
                allocate);
        if (r != RETRY_LENGTH && gate.valid(e)) {
          return r;
        }
      } catch (IndexOutOfBoundsException | IllegalStateException stale) {
        gate.checkOpen();
      }
      if (attempt >= ReadGate.OPTIMISTIC_ATTEMPTS) {
        return underLock(
            () -> {
              if (stillValid != null) {
                stillValid.run();
              }
              checkValues();
              long r =
                  tryRead(
                      key, keyLength, asOf, gate.epochAcquire(), dstArray, dstSegment, allocate);
              if (r == RETRY_LENGTH) {
                throw new IllegalStateException("memdb: inconsistent tree under the write lock");
              }
              return r;
            });
      }
      gate.retried();
      Thread.onSpinWait();
    }
  }

  /**
   * One optimistic attempt. {@code asOf} is a snapshot's position, the target of a revert under
   * way, or {@link ReadGate#NO_LIMIT} for the current value.
   */
  private long tryRead(
      MemorySegment key,
      long keyLength,
      long asOf,
      int e,
      byte[] dstArray,
      MemorySegment dstSegment,
      KeyScratch allocate) {
    MemorySegment[] t = reader.table();
    long n = reader.find(t, key, keyLength);
    if (n == TreeReader.RETRY) {
      return RETRY_LENGTH;
    }
    if (n == NULL) {
      return ABSENT;
    }
    MemorySegment s = reader.segment(t, n);
    int v = NodeLayout.versionAcquire(s, n);
    if ((v & 1) != 0) {
      return RETRY_LENGTH;
    }
    int flags = NodeLayout.flagsPlain(s, n);
    long record = NodeLayout.valuePlain(s, n);
    if ((flags & NodeLayout.DELETED_BIT) != 0 || record == NULL) {
      return valid(s, n, v) ? ABSENT : RETRY_LENGTH;
    }
    MemorySegment[] vt = vlog.arena().blocksAcquire();
    if (asOf != ReadGate.NO_LIMIT) {
      record = vlog.asOf(vt, record, asOf);
      if (record == NULL) {
        return valid(s, n, v) ? ABSENT : RETRY_LENGTH;
      }
      if (record < 0) {
        return RETRY_LENGTH;
      }
    }
    int length = vlog.length(vt, record);
    // Validate before allocating or touching the caller's buffer: a stale record could claim any
    // length its block allows, and must never be copied into the caller's memory. The epoch check
    // covers a node block that moved (and was reused) since this attempt began: its frozen or
    // reused bytes can pass the node's own version check.
    if (length < 0 || !valid(s, n, v) || !gate.valid(e)) {
      return RETRY_LENGTH;
    }
    if (allocate != null) {
      byte[] out = new byte[length];
      vlog.copy(vt, record, length, out);
      if (!valid(s, n, v)) {
        return RETRY_LENGTH;
      }
      allocate.setResult(out);
      return length;
    }
    if (dstArray != null) {
      if (length <= dstArray.length) {
        vlog.copy(vt, record, length, dstArray);
      }
    } else if (length <= dstSegment.byteSize()) {
      vlog.copy(vt, record, length, dstSegment);
    }
    return valid(s, n, v) ? length : RETRY_LENGTH;
  }

  /**
   * Reads a key's flags.
   *
   * @param key the key
   * @return the flags, null if absent or rolled back
   */
  public KeyFlags getFlags(byte[] key) {
    MemorySegment k = KeyScratch.of(key);
    long keyLength = key.length;
    for (int attempt = 0; ; attempt++) {
      int e = gate.awaitReadableEpoch();
      try {
        int f = tryGetFlags(k, keyLength, gate.readLimit(e));
        if (f != RETRY_FLAGS && gate.valid(e)) {
          return f == NO_FLAGS ? null : KeyFlags.of(f);
        }
      } catch (IndexOutOfBoundsException | IllegalStateException stale) {
        gate.checkOpen();
      }
      if (attempt >= ReadGate.OPTIMISTIC_ATTEMPTS) {
        return underLock(
            () -> {
              int f = tryGetFlags(k, keyLength, ReadGate.NO_LIMIT);
              return f < 0 ? null : KeyFlags.of(f);
            });
      }
      gate.retried();
      Thread.onSpinWait();
    }
  }

  private int tryGetFlags(MemorySegment key, long keyLength, long revertTarget) {
    MemorySegment[] t = reader.table();
    long n = reader.find(t, key, keyLength);
    if (n == TreeReader.RETRY) {
      return RETRY_FLAGS;
    }
    if (n == NULL) {
      return NO_FLAGS;
    }
    MemorySegment s = reader.segment(t, n);
    int v = NodeLayout.versionAcquire(s, n);
    if ((v & 1) != 0) {
      return RETRY_FLAGS;
    }
    int flags = NodeLayout.flagsPlain(s, n);
    if (revertTarget != ReadGate.NO_LIMIT) {
      flags = flagsAfterRevert(flags, NodeLayout.valuePlain(s, n), revertTarget);
      if (flags == RETRY_FLAGS) {
        return RETRY_FLAGS;
      }
    }
    if (!valid(s, n, v)) {
      return RETRY_FLAGS;
    }
    return (flags & NodeLayout.DELETED_BIT) != 0 ? NO_FLAGS : flags & NodeLayout.KEY_FLAGS_MASK;
  }

  /**
   * The flags word a revert to {@code target} leaves on a node (reference §3.4): if every value of
   * the key is newer than the target, its first value is undone and only persistent flags keep it
   * alive. Applied to a node the revert already reached, it changes nothing.
   *
   * @return the flags word, or RETRY_FLAGS if the history read was torn
   */
  int flagsAfterRevert(int flags, long record, long target) {
    if (record == NULL || record <= target) {
      return flags;
    }
    long kept = vlog.asOf(vlog.arena().blocksAcquire(), record, target);
    if (kept < NULL) {
      return RETRY_FLAGS;
    }
    if (kept != NULL) {
      return flags;
    }
    int keep = flags & NodeLayout.KEY_FLAGS_MASK & WritePath.persistentMask();
    return keep == 0
        ? (flags & NodeLayout.RED_BIT) | NodeLayout.DELETED_BIT
        : (flags & NodeLayout.RED_BIT) | keep;
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
  public BlockArena valueArena() {
    return vlog.arena();
  }

  /**
   * Returns the node arena.
   *
   * @return the arena of the tree
   */
  public BlockArena nodeArena() {
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

  <T> T underLock(Supplier<T> read) {
    gate.fellBack();
    var lock = gate.writeLock();
    lock.lock();
    try {
      gate.checkOpen();
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  static boolean valid(MemorySegment s, long node, int v) {
    java.lang.invoke.VarHandle.loadLoadFence();
    return NodeLayout.versionPlain(s, node) == v;
  }
}
