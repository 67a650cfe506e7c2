package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.KeyFlags;
import dev.memdb.MemDBIterator;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.ReadOutcome;
import dev.memdb.internal.tree.Keys;
import dev.memdb.internal.tree.TreeReader;
import dev.memdb.internal.vlog.ValueLog;
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

  /**
   * A walk checks the epoch after every this many hidden nodes (a power of two). In a live node
   * block the validated links lead to ever larger keys, so only a block that moved can loop.
   */
  private static final int SKIPS_PER_EPOCH_CHECK = 1024;

  /** Most entries one pass captures. */
  static final int MAX_PASS = 32;

  /** A pass stops once it holds this many value bytes, so large values are not read far ahead. */
  static final int MAX_PASS_VALUE_BYTES = 16 * 1024;

  private final Store store;

  // The bound on the side the iteration starts from (lower ascending, upper descending) is read
  // only
  // by the first pass's seek, so seek(key) replaces it; the far-side bound is the end check.
  private byte[] lower;
  private byte[] upper;

  /** The start-side bound the iterator was opened with: {@link #seek} never goes before it. */
  private final byte[] startBound;

  private final boolean ascending;

  /** The bound on the far side (upper ascending, lower descending) as the walk compares it. */
  private final MemorySegment farBound;

  private final long farBoundLength;
  private final long farBoundPrefix;
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
    byte[] far = ascending ? this.upper : this.lower;
    this.farBound = far == null ? null : MemorySegment.ofArray(far);
    this.farBoundLength = far == null ? 0 : far.length;
    this.farBoundPrefix = far == null ? 0 : Keys.prefix(farBound, farBoundLength);
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
    CursorBatch b = spare;
    if (!walk(b, s, vt, revertTarget, e)) {
      return false;
    }
    if (b.count == 0) {
      return true; // the end of the range, and nothing before it
    }
    if (!copyEntries(b, s, vt, e)) {
      return false;
    }
    // Never repeat or go back: a first entry not beyond the last one returned means the tree
    // changed between passes, so seek again from the last key.
    return !started || beyondLast(b);
  }

  /**
   * The pass's first phase: follows the in-order links from node to node, and adds each node it
   * will show with what its header word and value pointer said, validated by its version. It reads
   * nothing but the nodes, so the only loads that wait on each other are the links, and the record
   * headers, keys and values are left to {@link #copyEntries}, where they do not.
   *
   * @return true if the batch holds a result to go on with (entries, the end of the range, or both)
   */
  private boolean walk(
      CursorBatch b, MemorySegment s, MemorySegment[] vt, long revertTarget, int e) {
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
    boolean plain = revertTarget == ReadGate.NO_LIMIT && snapshot == null;
    boolean discarded = store.valuesDiscarded;
    int skipped = 0;
    while (true) {
      if (n == ReadOutcome.RETRY) {
        return b.count > 0;
      }
      if (n == NO_NODE) {
        b.end = true;
        return true;
      }
      // Version, key length and flags in one access; the validation re-reads the version alone.
      long w = NodeLayout.headerAcquire(s, n);
      int v = NodeLayout.versionOf(w);
      if ((v & 1) != 0) {
        return b.count > 0;
      }
      int f = NodeLayout.flagsOf(w);
      long record = NodeLayout.valuePlain(s, n);
      long next = NodeLayout.neighbourPlain(s, n, ascending);
      if (!plain) {
        if (revertTarget != ReadGate.NO_LIMIT) {
          // A revert is under way: show the state it leaves (see ReadGate#readLimit).
          long after = store.flagsAfterRevert(f, record, revertTarget);
          if (after == ReadOutcome.RETRY) {
            return b.count > 0;
          }
          f = (int) after;
        }
        if (record != NO_VALUE && (f & NodeLayout.DELETED_BIT) == 0) {
          record = recordAsOf(vt, record, revertTarget);
          if (record == ReadOutcome.RETRY) {
            return b.count > 0;
          }
        }
      }
      boolean show =
          (f & NodeLayout.DELETED_BIT) == 0
              && (record != NO_VALUE || (withFlagOnly && snapshot == null));
      int keyLength = NodeLayout.keyLengthOf(w);
      if (show && !inRange(s, n, keyLength)) {
        if (!TreeReader.valid(s, n, v)) {
          return b.count > 0;
        }
        b.end = true;
        return true;
      }
      if (!TreeReader.valid(s, n, v)) {
        return b.count > 0;
      }
      if (show) {
        int marker =
            record == NO_VALUE ? CursorBatch.NO_VALUE : discarded ? CursorBatch.DISCARDED : 0;
        b.addNode(n, v, f, keyLength, record, marker);
        b.lastNode = n;
        if (b.count >= target) {
          return true;
        }
      } else if ((++skipped & (SKIPS_PER_EPOCH_CHECK - 1)) == 0 && !store.gate.valid(e)) {
        // A long run of hidden nodes may be real (a rolled-back stage), but a walk through a
        // moved node block's reused bytes could go round in circles: the epoch tells them apart.
        return b.count > 0;
      }
      n = next;
    }
  }

  /**
   * The pass's second phase: copies the keys and values of the nodes the first phase added, each
   * validated by its node's version after the copy. The entries are independent of each other, so
   * the processor overlaps their cache misses (record header, value bytes) instead of waiting for
   * each in turn, as it would inside the chain of links.
   *
   * @return true if at least one entry remains to be returned
   */
  private boolean copyEntries(CursorBatch b, MemorySegment s, MemorySegment[] vt, int e) {
    ValueLog vlog = store.vlog;
    int count = b.count;
    for (int i = 0; i < count; i++) {
      long n = b.node(i);
      int v = b.version(i);
      b.copyKey(i, s, NodeLayout.keyAt(n));
      long record = b.record(i);
      if (record != CursorBatch.NO_RECORD) {
        MemorySegment block = vlog.block(vt, record);
        int len = vlog.length(block, record);
        // Before growing the value array, both checks: a record length read from a changed node,
        // or from a moved node block's frozen or reused bytes, must not size it. A copy into room
        // the batch already has needs neither: the validation after it discards a torn copy.
        if (len < 0
            || !b.hasValueRoom(len) && (!TreeReader.valid(s, n, v) || !store.gate.valid(e))) {
          return keep(b, i);
        }
        byte[] values = b.valueRoom(i, len);
        vlog.copy(block, record, len, values, b.valueOffset(i));
      }
      if (!TreeReader.valid(s, n, v)) {
        return keep(b, i);
      }
      if (b.valueBytes() >= MAX_PASS_VALUE_BYTES && i + 1 < count) {
        b.truncate(i + 1); // large values are not read far ahead
        return true;
      }
    }
    return true;
  }

  /** Keeps the {@code n} entries copied before one that failed; false if there are none. */
  private static boolean keep(CursorBatch b, int n) {
    if (n == 0) {
      return false;
    }
    b.truncate(n);
    return true;
  }

  private long seekBeyondLast(TreeReader reader, MemorySegment s) {
    return reader.seek(s, batch.keySegment(batch.count - 1), ascending, false);
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

  /** Whether the first entry of a pass lies strictly beyond the last entry returned. */
  private boolean beyondLast(CursorBatch b) {
    int cmp = b.compareKey(0, batch, batch.count - 1);
    return ascending ? cmp > 0 : cmp < 0;
  }

  /** Whether a node's key lies before the far end of the range. */
  private boolean inRange(MemorySegment s, long n, int keyLength) {
    if (farBound == null) {
      return true;
    }
    int cmp = Keys.compare(farBound, farBoundLength, farBoundPrefix, s, n, keyLength);
    return ascending ? cmp > 0 : cmp <= 0;
  }

  private static MemorySegment segmentOf(byte[] bound) {
    return bound == null ? null : MemorySegment.ofArray(bound);
  }
}
