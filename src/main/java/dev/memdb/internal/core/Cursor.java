package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.KeyFlags;
import dev.memdb.MemDBIterator;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.ReadOutcome;
import dev.memdb.internal.tree.TreeReader;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A weakly consistent iterator over the tree.
 *
 * <p>The iterator reads ahead in passes. One pass is one optimistic read ({@link OptimisticRead}):
 * read the epoch, step from the node the last pass ended on along its in-order link, capture each
 * shown key's key, flags, value and in-order link inside that node's version into a {@link
 * CursorBatch}, follow the link, and validate the epoch once at the end; {@link #next()} then moves
 * through the batch without touching off-heap memory. Passes grow from one entry (an iterator often
 * serves one seek) to {@link #MAX_PASS} entries, so the per-pass cost (epoch, block tables, the
 * first step) is spread over many entries, while a scan that stops early has read little ahead in
 * vain (with passes up to 128 entries, a 100-entry scan captured 201). Every entry was in the tree,
 * with that value, at the moment its node was captured, which lies within the iteration: weak
 * consistency allows returning it later.
 *
 * <p>A pass ends early when a node it stands on changes under it; the next pass then seeks again
 * from the last captured key, strictly beyond it, so keys come out in strict order and none present
 * throughout is skipped or repeated. A reset renumbers the nodes, which also forces a seek.
 */
final class Cursor implements MemDBIterator, OptimisticRead.Attempt {
  /** Entries captured by the first pass. */
  private static final int FIRST_PASS = 1;

  /** Each pass captures this many times more entries than the last, up to {@link #MAX_PASS}. */
  private static final int PASS_GROWTH = 4;

  /** Most entries one pass captures. */
  static final int MAX_PASS = 32;

  /** A pass stops once it holds this many value bytes, so large values are not read far ahead. */
  static final int MAX_PASS_VALUE_BYTES = 16 * 1024;

  private static final int CAPTURED = 0;
  private static final int SKIP = 1;
  private static final int FAILED = 2;

  private final Store store;

  // The bound on the side the iteration starts from (lower ascending, upper descending) is read
  // only
  // by the first pass's seek, so seek(key) replaces it; the far-side bound is the end check.
  private byte[] lower;
  private byte[] upper;

  /** The start-side bound the iterator was opened with: {@link #seek} never goes before it. */
  private final byte[] startBound;

  private final boolean ascending;
  private final boolean withFlagOnly;
  private final SnapshotView snapshot;

  /** The entries being returned; {@link #pos} is the current one. Null once released. */
  private CursorBatch batch;

  /** The pass under way; swapped with {@link #batch} once validated. */
  private CursorBatch spare;

  private int pos;
  private boolean valid;

  /** Set by {@link #close()}: unlike running to the end, it ends the iterator for good. */
  private boolean closed;

  private boolean started;
  private boolean reseek;
  private int passSize = FIRST_PASS;

  /** The in-order link {@link #capture} read inside the node's window: where the pass goes next. */
  private long capturedNext;

  /** Attempts made by the {@link #fill()} under way: after a failed one, the next seeks again. */
  private int attempts;

  Cursor(
      Store store,
      byte[] lower,
      byte[] upper,
      boolean ascending,
      boolean withFlagOnly,
      SnapshotView snapshot) {
    this.store = store;
    this.lower = lower == null ? null : lower.clone();
    this.upper = upper == null ? null : upper.clone();
    this.ascending = ascending;
    this.startBound = ascending ? this.lower : this.upper;
    this.withFlagOnly = withFlagOnly;
    this.snapshot = snapshot;
    this.batch = store.batches.take();
    this.spare = batch.pair;
    fill();
  }

  @Override
  public boolean valid() {
    store.gate.checkOpen();
    return valid;
  }

  @Override
  public byte[] key() {
    requireValid();
    return batch.key(pos);
  }

  @Override
  public byte[] value() {
    requireValid();
    int length = valueLength();
    return length == CursorBatch.NO_VALUE ? null : batch.value(pos);
  }

  @Override
  public int key(byte[] dst) {
    Objects.requireNonNull(dst, "dst");
    requireValid();
    int length = batch.keyLength(pos);
    if (length <= dst.length) {
      batch.copyKey(pos, dst);
    }
    return length;
  }

  @Override
  public int value(byte[] dst) {
    Objects.requireNonNull(dst, "dst");
    requireValid();
    int length = valueLength();
    if (length == CursorBatch.NO_VALUE) {
      return -1;
    }
    if (length <= dst.length) {
      batch.copyValue(pos, dst);
    }
    return length;
  }

  @Override
  public KeyFlags flags() {
    requireValid();
    return KeyFlags.of(batch.flags(pos) & NodeLayout.KEY_FLAGS_MASK);
  }

  @Override
  public boolean hasValue() {
    requireValid();
    return batch.valueLength(pos) != CursorBatch.NO_VALUE;
  }

  @Override
  public void next() {
    requireValid();
    try {
      // Entries read ahead are not handed out once the buffer is closed or the snapshot stale.
      if (snapshot != null) {
        snapshot.checkValid();
      }
      if (++pos < batch.count) {
        return;
      }
      if (batch.end) {
        release();
        return;
      }
      fill();
    } catch (RuntimeException | Error e) {
      release(); // a move that failed leaves the iterator invalid, never on a stale entry
      throw e;
    }
  }

  @Override
  public void seek(byte[] key) {
    Objects.requireNonNull(key, "key");
    store.gate.checkOpen();
    if (closed) {
      throw new IllegalStateException("iterator is closed");
    }
    byte[] from = clampToStartBound(key);
    valid = false;
    try {
      if (batch == null) { // run to its end: take read-ahead buffers again
        batch = store.batches.take();
        spare = batch.pair;
      }
      if (ascending) {
        lower = from;
      } else {
        upper = from;
      }
      started = false;
      reseek = false;
      passSize = FIRST_PASS;
      pos = 0;
      fill();
    } catch (RuntimeException | Error e) {
      release();
      throw e;
    }
  }

  /** The seek key, or the start-side bound if the key lies before it in iteration order. */
  private byte[] clampToStartBound(byte[] key) {
    if (startBound != null) {
      int cmp = Arrays.compareUnsigned(key, startBound);
      if (ascending ? cmp < 0 : cmp > 0) {
        return startBound;
      }
    }
    return key.clone();
  }

  @Override
  public void close() {
    closed = true;
    release();
  }

  /** Ends the iteration and gives the batches back for the next iterator. */
  private void release() {
    valid = false;
    if (batch != null) {
      store.batches.give(batch);
      batch = null;
      spare = null;
    }
  }

  private void requireValid() {
    store.gate.checkOpen();
    if (!valid) {
      throw new NoSuchElementException("iterator is not positioned on a key");
    }
  }

  private int valueLength() {
    int length = batch.valueLength(pos);
    if (length == CursorBatch.DISCARDED) {
      store.checkValues();
      throw Store.valuesDiscarded();
    }
    return length;
  }

  /** Runs passes until one validates, then makes it the iterator's position. */
  private void fill() {
    attempts = 0;
    OptimisticRead.run(store.gate, this);
    commitPass();
  }

  @Override
  public void precheck() {
    if (snapshot != null) {
      snapshot.checkValid();
    }
  }

  @Override
  public long attempt(long revertTarget, int epoch) {
    if (attempts++ > 0) {
      // A node the last pass stood on may have changed: seek again from the last key.
      reseek = true;
    }
    return tryPass(revertTarget, epoch) ? 1 : ReadOutcome.RETRY;
  }

  /** Makes a validated pass the entries the iterator returns. */
  private void commitPass() {
    CursorBatch b = batch;
    batch = spare;
    spare = b;
    pos = 0;
    started = true;
    reseek = false;
    valid = batch.count > 0;
    if (!valid) {
      release();
    }
    passSize = Math.min(passSize * PASS_GROWTH, MAX_PASS);
  }

  /**
   * One optimistic pass into {@link #spare}. It changes nothing the iterator shows.
   *
   * @return true if the pass holds a result (entries, the end of the range, or both) to validate
   */
  private boolean tryPass(long revertTarget, int e) {
    MemorySegment s = store.reader.segment();
    MemorySegment[] vt = store.vlog.arena().blocksAcquire();
    return walk(s, vt, revertTarget, e) && copyValues(spare, s, vt);
  }

  /**
   * The pass's second phase: copies the values the first phase found, each validated by its node's
   * version after the copy. Why two phases: the first walks the chain of nodes, a load that depends
   * on the previous one, and each record's header is read there without waiting for it; the copies
   * here are independent of each other, so the processor overlaps their cache misses instead of
   * waiting for each in turn (a buffer filled in random key order has its nodes and values in
   * insertion order, scattered with respect to key order).
   *
   * @return true if at least one entry (or the end of the range) remains to be returned
   */
  private boolean copyValues(CursorBatch b, MemorySegment s, MemorySegment[] vt) {
    byte[] values = b.valueArray();
    for (int i = 0; i < b.count; i++) {
      long record = b.record(i);
      if (record != CursorBatch.NO_RECORD) {
        store.vlog.copy(vt, record, b.valueLength(i), values, b.valueOffset(i));
      }
      if (!TreeReader.valid(s, b.node(i), b.version(i))) {
        if (i == 0) {
          return false;
        }
        b.truncate(i);
        return true;
      }
    }
    return true;
  }

  /** The pass's first phase: the chain of nodes, each entry captured but for its value bytes. */
  private boolean walk(MemorySegment s, MemorySegment[] vt, long revertTarget, int e) {
    CursorBatch b = spare;
    b.clear();
    TreeReader reader = store.reader;
    long gen = store.generation;
    b.generation = gen;
    long n;
    if (!started) {
      n =
          ascending
              ? reader.seek(s, segmentOf(lower), true, true)
              : reader.seek(s, segmentOf(upper), false, false);
    } else if (reseek || gen != batch.generation) {
      n = seekBeyondLast(reader, s);
    } else {
      // From the node's current link: its key never changes and it never leaves the tree, so a
      // change to it since the last pass (a flag, a value, a rotation, a new neighbour) needs no
      // new descent.
      n = TreeReader.step(s, batch.lastNode, ascending);
      if (n == ReadOutcome.RETRY) {
        n = seekBeyondLast(reader, s);
      }
    }
    int target = passSize;
    while (true) {
      if (n == ReadOutcome.RETRY) {
        return b.count > 0;
      }
      if (n == NO_NODE) {
        b.end = true;
        return true;
      }
      int r = capture(b, s, vt, n, revertTarget, e);
      if (r == FAILED) {
        return b.count > 0;
      }
      if (r == CAPTURED) {
        if (started && b.count == 1 && !beyondLast(b)) {
          return false; // never repeat or go back: seek again from the last key
        }
        if (!inRange(b, b.count - 1)) {
          b.dropLast();
          b.end = true;
          return true;
        }
        b.lastNode = n;
        if (b.count >= target || b.valueBytes() >= MAX_PASS_VALUE_BYTES) {
          return true;
        }
      }
      n = capturedNext;
    }
  }

  private long seekBeyondLast(TreeReader reader, MemorySegment s) {
    return reader.seek(s, batch.keySegment(batch.count - 1), ascending, false);
  }

  /**
   * Captures node {@code n} into the batch inside its version, and its in-order link into {@link
   * #capturedNext}.
   */
  private int capture(
      CursorBatch b, MemorySegment s, MemorySegment[] vt, long n, long revertTarget, int e) {
    // Version, key length and flags in one access; later checks re-read the version alone.
    long w = NodeLayout.headerAcquire(s, n);
    int v = NodeLayout.versionOf(w);
    if ((v & 1) != 0) {
      return FAILED;
    }
    int f = NodeLayout.flagsOf(w);
    long record = NodeLayout.valuePlain(s, n);
    capturedNext = NodeLayout.neighbourPlain(s, n, ascending);
    if (revertTarget != ReadGate.NO_LIMIT) {
      // A revert is under way: show the state it leaves (see ReadGate#readLimit).
      long after = store.flagsAfterRevert(f, record, revertTarget);
      if (after == ReadOutcome.RETRY) {
        return FAILED;
      }
      f = (int) after;
    }
    if ((f & NodeLayout.DELETED_BIT) != 0) {
      return TreeReader.valid(s, n, v) ? SKIP : FAILED;
    }
    if (record != NO_VALUE && (snapshot != null || revertTarget != ReadGate.NO_LIMIT)) {
      record = recordAsOf(vt, record, revertTarget);
      if (record == ReadOutcome.RETRY) {
        return FAILED;
      }
    }
    if (record == NO_VALUE && !(withFlagOnly && snapshot == null)) {
      return TreeReader.valid(s, n, v) ? SKIP : FAILED;
    }
    b.appendKey(s, NodeLayout.keyAt(n), NodeLayout.keyLengthOf(w));
    if (record == NO_VALUE) {
      b.setNoValue(CursorBatch.NO_VALUE);
    } else if (store.valuesDiscarded) {
      b.setNoValue(CursorBatch.DISCARDED);
    } else if (!reserveValue(b, s, n, v, vt, record, e)) {
      return FAILED;
    }
    if (!TreeReader.valid(s, n, v)) {
      return FAILED;
    }
    b.commitEntry(f, n, v);
    return CAPTURED;
  }

  /**
   * The record a snapshot iterator, or any iterator during a revert, shows: the newest one at or
   * before the snapshot's position and the revert's target.
   *
   * @return the record, NO_VALUE if none, or RETRY if the history read was torn
   */
  private long recordAsOf(MemorySegment[] vt, long record, long revertTarget) {
    long asOf = snapshot == null ? revertTarget : Math.min(snapshot.position(), revertTarget);
    return store.vlog.asOf(vt, record, asOf);
  }

  /**
   * Reads a record's value length and makes room for the value in the entry being appended; the
   * second phase copies it ({@link #copyValues}).
   *
   * @return false if the record cannot be read as it is (the capture fails)
   */
  private boolean reserveValue(
      CursorBatch b, MemorySegment s, long n, int v, MemorySegment[] vt, long record, int e) {
    int len = store.vlog.length(vt, record);
    if (len < 0) {
      return false;
    }
    // Before growing the value buffer, both checks: a record read from a changed node, or from a
    // moved node block's frozen or reused bytes, must not size it. A copy into room the batch
    // already has needs neither: the validation after it discards a torn copy.
    if (!b.hasValueRoom(len) && (!TreeReader.valid(s, n, v) || !store.gate.valid(e))) {
      return false;
    }
    b.valueRoom(len);
    b.setPendingValue(len, record);
    return true;
  }

  /** Whether the first entry of a pass lies strictly beyond the last entry returned. */
  private boolean beyondLast(CursorBatch b) {
    int cmp = b.compareKey(0, batch, batch.count - 1);
    return ascending ? cmp > 0 : cmp < 0;
  }

  private boolean inRange(CursorBatch b, int i) {
    if (ascending) {
      return upper == null || b.compareKey(i, upper) < 0;
    }
    return lower == null || b.compareKey(i, lower) >= 0;
  }

  private static MemorySegment segmentOf(byte[] bound) {
    return bound == null ? null : MemorySegment.ofArray(bound);
  }
}
