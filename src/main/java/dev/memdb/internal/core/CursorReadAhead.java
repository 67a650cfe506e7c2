package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.ReadOutcome;
import dev.memdb.internal.tree.Keys;
import dev.memdb.internal.tree.TreeReader;
import java.lang.foreign.MemorySegment;

/**
 * An iterator's reading side: it reads a range ahead in passes, each into a {@link CursorBatch},
 * and {@link Cursor} hands the entries of the last validated pass out. A superclass rather than a
 * field, so that an iterator stays one object (a scan allocates its cursor and nothing else).
 *
 * <p>One pass is one optimistic read ({@link OptimisticRead}): read the epoch, step from the node
 * the last pass ended on along its in-order link, capture each shown key's key, flags, value and
 * in-order link inside that node's version, follow the link, and validate the epoch once at the
 * end. Passes grow from one entry (an iterator often serves one seek) to {@link #MAX_PASS} entries,
 * so the per-pass cost (epoch, block tables, the first step) is spread over many entries, while a
 * scan that stops early has read little ahead in vain (with passes up to 128 entries, a 100-entry
 * scan captured 201). Every entry was in the tree, with that value, at the moment its node was
 * captured, which lies within the iteration: weak consistency allows returning it later.
 *
 * <p>A pass ends early when a node it stands on changes under it; the next pass then seeks again
 * from the last captured key, strictly beyond it, so keys come out in strict order and none present
 * throughout is skipped or repeated. A reset renumbers the nodes, which also forces a seek.
 *
 * <p><b>Ownership.</b> One iterator is used by one thread at a time; every field is that thread's.
 */
abstract sealed class CursorReadAhead implements OptimisticRead.Attempt permits Cursor {
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

  final Store store;
  final boolean ascending;
  final SnapshotView snapshot;
  private final boolean withFlagOnly;

  // The bound on the side the iteration starts from (lower ascending, upper descending) is read
  // only by the first pass's seek, so a seek replaces it; the far-side bound is the end check.
  private byte[] lower;
  private byte[] upper;

  /** The start-side bound the iterator was opened with: a seek never goes before it. */
  final byte[] startBound;

  /** The bound on the far side (upper ascending, lower descending) as the walk compares it. */
  private final MemorySegment farBound;

  private final long farBoundLength;
  private final long farBoundPrefix;

  /** The entries of the last validated pass, being handed out. Null once released. */
  CursorBatch batch;

  /** The pass under way; swapped with {@link #batch} once validated. */
  private CursorBatch spare;

  private boolean started;
  private boolean reseek;
  private int passSize = FIRST_PASS;

  /**
   * Attempts made by the {@link #readPass()} under way: after a failed one, the next seeks again.
   */
  private int attempts;

  CursorReadAhead(
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
  }

  /**
   * Runs passes until one validates, then makes it {@link #batch}: the next entries, possibly none
   * (the end of the range).
   */
  final void readPass() {
    attempts = 0;
    OptimisticRead.run(store.gate, this);
    CursorBatch b = batch;
    batch = spare;
    spare = b;
    started = true;
    reseek = false;
    passSize = Math.min(passSize * PASS_GROWTH, MAX_PASS);
  }

  /**
   * Makes the next pass start from a new start-side bound, as if the iterator had been opened
   * there; takes read-ahead buffers again if the iteration had run to its end.
   *
   * @param from the new bound, a copy the iterator owns, not before {@link #startBound}
   */
  final void restartFrom(byte[] from) {
    if (batch == null) {
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
  }

  /** Gives the read-ahead buffers back for the next iterator. */
  final void releaseBatches() {
    if (batch != null) {
      store.batches.give(batch);
      batch = null;
      spare = null;
    }
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
    if (!PassCopy.copyEntries(store, b, s, vt, e)) {
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
   * headers, keys and values are left to {@link PassCopy#copyEntries}, where they do not.
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
      n = TreeReader.step(s, batch.lastNode(), ascending);
      if (n == ReadOutcome.RETRY) {
        n = seekBeyondLast(reader, s);
      }
    }
    int target = passSize;
    boolean plain = revertTarget == ReadGate.NO_LIMIT && snapshot == null;
    boolean discarded = store.valuesDiscarded;
    int skipped = 0;
    // Shown nodes from this index on have not been validated: the copy phase validates them after
    // their copy, once per pass. A hidden node was reached through their links, so they are
    // validated before its fields decide anything (see #trustChain).
    int unchecked = 0;
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
        if (NodeLayout.showsValue(f, record)) {
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
      if (show && inRange(s, n, keyLength)) {
        // Not validated here: the copy phase validates the node after copying its key and value,
        // which also covers the link read above, inside the same version.
        int marker =
            record == NO_VALUE ? CursorBatch.NO_VALUE : discarded ? CursorBatch.DISCARDED : 0;
        b.addNode(n, v, f, keyLength, record, marker);
        if (b.count >= target) {
          return true;
        }
        n = next;
        continue;
      }
      // A hidden node, or the end of the range: its own fields decide, so they must be validated,
      // and so must every shown node on the way to it.
      if (!trustChain(b, s, unchecked) || !TreeReader.valid(s, n, v)) {
        return b.count > 0;
      }
      unchecked = b.count;
      if (show) {
        b.end = true;
        return true;
      }
      if ((++skipped & (SKIPS_PER_EPOCH_CHECK - 1)) == 0 && !store.gate.valid(e)) {
        // A long run of hidden nodes may be real (a rolled-back stage), but a walk through a
        // moved node block's reused bytes could go round in circles: the epoch tells them apart.
        return b.count > 0;
      }
      n = next;
    }
  }

  /**
   * Validates the shown nodes the walk added from {@code from} on, before it trusts a node it
   * reached through their links. A shown node whose version changed is dropped with every node
   * after it: its link may have led anywhere.
   *
   * @return true if all of them are still valid
   */
  private static boolean trustChain(CursorBatch b, MemorySegment s, int from) {
    int failed = b.firstChanged(s, from, b.count);
    if (failed == b.count) {
      return true;
    }
    b.dropFrom(failed);
    return false;
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
    assert b.count > 0 : "an empty pass has no first entry to order";
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
