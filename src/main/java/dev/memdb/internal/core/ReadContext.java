package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.ReadOutcome;
import dev.memdb.internal.tree.Descent;
import dev.memdb.internal.tree.TreeReader;
import java.lang.foreign.MemorySegment;

/**
 * A reader thread's context and the attempt of its point reads (value and flag reads): the request
 * under way, the scratch its key is copied into, the header word its descent left ({@link
 * Descent}), and the array a copying read hands back. One per thread, reused by every read on it,
 * so a read allocates nothing but a copying read's result.
 *
 * <p>Why a copy of the key: reads compare keys as segments ({@link MemorySegment#mismatch});
 * wrapping each caller's array with {@link MemorySegment#ofArray(byte[])} would allocate a segment
 * and its scope on every read, which escape analysis does not remove on this path.
 *
 * <p><b>Ownership.</b> Confined to its thread: never published, never read by another thread.
 */
final class ReadContext extends Descent implements OptimisticRead.Attempt {
  /** A value read's result for a key with no value. */
  static final long ABSENT = -1;

  /** A flag read's result for an absent or rolled-back key. */
  static final long NO_FLAGS = -1;

  private static final ThreadLocal<ReadContext> PER_THREAD =
      ThreadLocal.withInitial(ReadContext::new);

  private byte[] keyBytes = new byte[64];
  private MemorySegment keyScratch = MemorySegment.ofArray(keyBytes);

  // The request of the point read under way.
  private Store store;
  private boolean flagsOnly;
  MemorySegment key;
  long keyLength;
  long asOf;
  SnapshotView snapshot;
  byte[] dstArray;
  MemorySegment dstSegment;
  boolean copyOut;

  /** The array a copying read allocated, handed back through here. */
  byte[] result;

  private ReadContext() {}

  /** Returns this thread's context. */
  static ReadContext current() {
    return PER_THREAD.get();
  }

  /**
   * Copies a key into this context's scratch.
   *
   * @param k the caller's key
   * @return a segment whose first {@code k.length} bytes are the key (it may be longer)
   */
  MemorySegment loadKey(byte[] k) {
    if (keyBytes.length < k.length) {
      keyBytes = new byte[Math.max(k.length, keyBytes.length * 2)];
      keyScratch = MemorySegment.ofArray(keyBytes);
    }
    System.arraycopy(k, 0, keyBytes, 0, k.length);
    return keyScratch;
  }

  /**
   * Sets the request of the next read: every field, so nothing of an earlier read remains.
   *
   * @param k the key, from offset 0
   * @param length the key's length
   * @param position a snapshot's position, or {@link ReadGate#NO_LIMIT} for the current value
   * @param snap the snapshot read from, or null
   * @param array the caller's array the value goes to, or null
   * @param segment the caller's segment the value goes to, or null
   * @param copy whether the value goes to a new array (see {@link #takeResult()})
   * @return this context
   */
  ReadContext request(
      MemorySegment k,
      long length,
      long position,
      SnapshotView snap,
      byte[] array,
      MemorySegment segment,
      boolean copy) {
    key = k;
    keyLength = length;
    asOf = position;
    snapshot = snap;
    dstArray = array;
    dstSegment = segment;
    copyOut = copy;
    return this;
  }

  /**
   * Runs a value read of the request set by {@link #request}; see {@link #attempt}.
   *
   * @return the value's length, or {@link #ABSENT}
   */
  long readValue(Store st) {
    store = st;
    flagsOnly = false;
    try {
      return OptimisticRead.run(st.gate, this);
    } finally {
      clearRequest();
    }
  }

  /**
   * Runs a flag read of {@link #key}.
   *
   * @return the key flags, or {@link #NO_FLAGS}
   */
  long readFlags(Store st) {
    store = st;
    flagsOnly = true;
    try {
      return OptimisticRead.run(st.gate, this);
    } finally {
      clearRequest();
    }
  }

  @Override
  public void precheck() {
    if (snapshot != null) {
      snapshot.checkValid();
    }
    if (!flagsOnly) {
      store.checkValues();
    }
  }

  @Override
  public long attempt(long readLimit, int epoch) {
    Store st = store;
    MemorySegment s = st.reader.segment();
    long n = st.reader.find(this, s, key, keyLength);
    if (n == ReadOutcome.RETRY) {
      return ReadOutcome.RETRY;
    }
    if (n == NO_NODE) {
      return flagsOnly ? NO_FLAGS : ABSENT;
    }
    // Inside the window the descent opened on the node (its header word, already even).
    long w = header();
    int v = NodeLayout.versionOf(w);
    int flags = NodeLayout.flagsOf(w);
    long record = NodeLayout.valuePlain(s, n);
    return flagsOnly
        ? flagsIn(st, s, n, v, flags, record, readLimit)
        : valueIn(st, s, n, v, flags, record, Math.min(asOf, readLimit), epoch);
  }

  private static long flagsIn(
      Store st, MemorySegment s, long n, int v, int flags, long record, long readLimit) {
    if (readLimit != ReadGate.NO_LIMIT) {
      long f = st.flagsAfterRevert(flags, record, readLimit);
      if (f == ReadOutcome.RETRY) {
        return ReadOutcome.RETRY;
      }
      flags = (int) f;
    }
    if (!TreeReader.valid(s, n, v)) {
      return ReadOutcome.RETRY;
    }
    return (flags & NodeLayout.DELETED_BIT) != 0 ? NO_FLAGS : flags & NodeLayout.KEY_FLAGS_MASK;
  }

  /**
   * The value of node {@code n} as of {@code limit} (a snapshot's position, the target of a revert
   * under way, or {@link ReadGate#NO_LIMIT}), into the request's destination.
   */
  private long valueIn(
      Store st, MemorySegment s, long n, int v, int flags, long record, long limit, int epoch) {
    if (!NodeLayout.showsValue(flags, record)) {
      return TreeReader.valid(s, n, v) ? ABSENT : ReadOutcome.RETRY;
    }
    var vlog = st.vlog;
    MemorySegment[] vt = vlog.arena().blocksAcquire();
    if (limit != ReadGate.NO_LIMIT) {
      record = vlog.asOf(vt, record, limit);
      if (record == NO_VALUE) {
        return TreeReader.valid(s, n, v) ? ABSENT : ReadOutcome.RETRY;
      }
      if (record == ReadOutcome.RETRY) {
        return ReadOutcome.RETRY;
      }
    }
    int length = vlog.length(vt, record);
    // Validate before allocating or touching the caller's buffer: a stale record could claim any
    // length its block allows, and must never be copied into the caller's memory. The epoch check
    // covers a node block that moved (and was reused) since this attempt began: its frozen or
    // reused bytes can pass the node's own version check.
    if (length < 0 || !TreeReader.valid(s, n, v) || !st.gate.valid(epoch)) {
      return ReadOutcome.RETRY;
    }
    if (copyOut) {
      byte[] out = new byte[length];
      vlog.copy(vt, record, length, out);
      if (!TreeReader.valid(s, n, v)) {
        return ReadOutcome.RETRY;
      }
      result = out;
      return length;
    }
    if (dstArray != null) {
      if (length <= dstArray.length) {
        vlog.copy(vt, record, length, dstArray);
      }
    } else if (length <= dstSegment.byteSize()) {
      vlog.copy(vt, record, length, dstSegment);
    }
    return TreeReader.valid(s, n, v) ? length : ReadOutcome.RETRY;
  }

  /** Forgets the caller's objects once the read is over, so the context holds on to nothing. */
  private void clearRequest() {
    store = null;
    key = null;
    snapshot = null;
    dstArray = null;
    dstSegment = null;
  }

  /** Takes the array the last copying read handed back, and forgets it. */
  byte[] takeResult() {
    byte[] r = result;
    result = null;
    return r;
  }
}
