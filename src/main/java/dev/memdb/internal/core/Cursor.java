package dev.memdb.internal.core;

import static dev.memdb.internal.arena.Address.NULL;

import dev.memdb.KeyFlags;
import dev.memdb.MemDBIterator;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.tree.TreeReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * A weakly consistent iterator over the tree.
 *
 * <p>Each move is one optimistic read: step from the node the cursor stands on (validated by the
 * version it had when the cursor captured it), skip what the iterator does not show, capture the
 * next node's key, flags and value inside that node's version, and validate the epoch. When a node
 * the move stood on changed, or a reset renumbered the nodes, the cursor seeks again from the last
 * key it returned, strictly beyond it, so keys come out in strict order and none present throughout
 * is skipped or repeated. Keys and values are copied into buffers the cursor reuses.
 */
final class Cursor implements MemDBIterator {
  private static final int NO_VALUE = -1;
  private static final int DISCARDED = -2;
  private static final int CAPTURED = 0;
  private static final int SKIP = 1;
  private static final int FAILED = 2;
  private static final int END = 3;

  private final Store store;
  private final byte[] lower;
  private final byte[] upper;
  private final boolean ascending;
  private final boolean withFlagOnly;
  private final SnapshotView snapshot;

  private boolean valid;
  private boolean started;
  private long node = NULL;
  private long generation;

  private byte[] key = new byte[32];
  private int keyLength;
  private byte[] value = new byte[64];
  private int valueLength;
  private int flags;

  // Scratch for the candidate being captured; swapped with key/value when accepted.
  private byte[] candidateKey = new byte[32];
  private int candidateKeyLength;
  private byte[] candidateValue = new byte[64];
  private int candidateValueLength;
  private int candidateFlags;
  private int candidateVersion;
  private long candidateNode;
  private long candidateGeneration;

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
    this.withFlagOnly = withFlagOnly;
    this.snapshot = snapshot;
    move();
  }

  @Override
  public boolean valid() {
    return valid;
  }

  @Override
  public byte[] key() {
    requireValid();
    return Arrays.copyOf(key, keyLength);
  }

  @Override
  public byte[] value() {
    requireValid();
    if (valueLength == DISCARDED) {
      store.checkValues();
    }
    return valueLength == NO_VALUE ? null : Arrays.copyOf(value, valueLength);
  }

  @Override
  public int key(byte[] dst) {
    requireValid();
    if (keyLength <= dst.length) {
      System.arraycopy(key, 0, dst, 0, keyLength);
    }
    return keyLength;
  }

  @Override
  public int value(byte[] dst) {
    requireValid();
    if (valueLength == DISCARDED) {
      store.checkValues();
    }
    if (valueLength == NO_VALUE) {
      return -1;
    }
    if (valueLength <= dst.length) {
      System.arraycopy(value, 0, dst, 0, valueLength);
    }
    return valueLength;
  }

  @Override
  public KeyFlags flags() {
    requireValid();
    return KeyFlags.of(flags & NodeLayout.KEY_FLAGS_MASK);
  }

  @Override
  public boolean hasValue() {
    requireValid();
    return valueLength != NO_VALUE;
  }

  @Override
  public void next() {
    requireValid();
    move();
  }

  @Override
  public void close() {
    valid = false;
  }

  private void requireValid() {
    if (!valid) {
      throw new NoSuchElementException("iterator is not positioned on a key");
    }
  }

  private void move() {
    ReadGate gate = store.gate;
    for (int attempt = 0; ; attempt++) {
      if (snapshot != null) {
        snapshot.checkValid();
      }
      int e = gate.awaitReadableEpoch();
      try {
        int r = tryMove(gate.readLimit(e), e);
        if (r != FAILED && gate.valid(e)) {
          commit(r);
          return;
        }
      } catch (IndexOutOfBoundsException | IllegalStateException stale) {
        gate.checkOpen();
      }
      if (attempt >= ReadGate.OPTIMISTIC_ATTEMPTS) {
        store.underLock(
            () -> {
              if (snapshot != null) {
                snapshot.checkValid();
              }
              int r = tryMove(ReadGate.NO_LIMIT, gate.epochAcquire());
              if (r == FAILED) {
                throw new IllegalStateException("memdb: inconsistent tree under the write lock");
              }
              commit(r);
              return null;
            });
        return;
      }
      gate.retried();
      // The node the cursor stood on may have changed: seek again from the last key.
      node = NULL;
      Thread.onSpinWait();
    }
  }

  /**
   * One optimistic attempt to reach the next shown key. It changes nothing the iterator shows: the
   * result waits in the candidate fields until {@link #commit(int)}, after the epoch check.
   *
   * @return CAPTURED (a candidate is ready), END (no more keys) or FAILED
   */
  private int tryMove(long revertTarget, int e) {
    TreeReader reader = store.reader;
    MemorySegment[] t = reader.table();
    MemorySegment[] vt = store.vlog.arena().blocksAcquire();
    long gen = store.generation;
    candidateGeneration = gen;
    long n;
    if (!started) {
      n =
          ascending
              ? reader.seek(t, segmentOf(lower), true, true)
              : reader.seek(t, segmentOf(upper), false, false);
    } else if (node == NULL || gen != generation) {
      n = reader.seek(t, MemorySegment.ofArray(Arrays.copyOf(key, keyLength)), ascending, false);
    } else {
      n = reader.step(t, node, ascending);
    }
    while (true) {
      if (n == TreeReader.RETRY) {
        return FAILED;
      }
      if (n == NULL) {
        return END;
      }
      int r = capture(t, vt, n, revertTarget, e);
      if (r == FAILED) {
        return FAILED;
      }
      if (r == CAPTURED) {
        if (started && !beyondLast()) {
          return FAILED; // never repeat or go back: seek again from the last key
        }
        if (!inRange()) {
          return END;
        }
        candidateNode = n;
        return CAPTURED;
      }
      n = reader.step(t, n, candidateVersion, ascending);
    }
  }

  /** Makes a validated attempt's result the iterator's position. */
  private void commit(int result) {
    started = true;
    generation = candidateGeneration;
    if (result == END) {
      node = NULL;
      valid = false;
      return;
    }
    byte[] k = key;
    key = candidateKey;
    candidateKey = k;
    keyLength = candidateKeyLength;
    byte[] v = value;
    value = candidateValue;
    candidateValue = v;
    valueLength = candidateValueLength;
    flags = candidateFlags;
    node = candidateNode;
    valid = true;
  }

  /** Captures node {@code n} into the candidate buffers inside its version. */
  private int capture(MemorySegment[] t, MemorySegment[] vt, long n, long revertTarget, int e) {
    MemorySegment s = store.reader.segment(t, n);
    // Version, key length and flags in one access; later checks re-read the version alone.
    long w = NodeLayout.headerAcquire(s, n);
    int v = NodeLayout.versionOf(w);
    if ((v & 1) != 0) {
      return FAILED;
    }
    int f = NodeLayout.flagsOf(w);
    long record = NodeLayout.valuePlain(s, n);
    if (revertTarget != ReadGate.NO_LIMIT) {
      // A revert is under way: show the state it leaves (see ReadGate#readLimit).
      f = store.flagsAfterRevert(f, record, revertTarget);
      if (f == Store.RETRY_FLAGS) {
        return FAILED;
      }
    }
    long asOf = snapshot == null ? revertTarget : Math.min(snapshot.position(), revertTarget);
    int kl = NodeLayout.keyLengthOf(w);
    if (candidateKey.length < kl) {
      candidateKey = new byte[Math.max(kl, candidateKey.length * 2)];
    }
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, NodeLayout.keyAt(n), candidateKey, 0, kl);
    candidateKeyLength = kl;
    candidateFlags = f;
    candidateVersion = v;
    if ((f & NodeLayout.DELETED_BIT) != 0) {
      return Store.valid(s, n, v) ? SKIP : FAILED;
    }
    if (asOf != ReadGate.NO_LIMIT && record != NULL) {
      record = store.vlog.asOf(vt, record, asOf);
      if (record < NULL) {
        return FAILED;
      }
    }
    if (record == NULL) {
      candidateValueLength = NO_VALUE;
      boolean show = withFlagOnly && snapshot == null;
      return Store.valid(s, n, v) ? (show ? CAPTURED : SKIP) : FAILED;
    }
    if (store.valuesDiscarded) {
      candidateValueLength = DISCARDED;
      return Store.valid(s, n, v) ? CAPTURED : FAILED;
    }
    int len = store.vlog.length(vt, record);
    // The epoch check: a moved node block's frozen or reused bytes can pass the version check,
    // and must not size the value buffer.
    if (len < 0 || !Store.valid(s, n, v) || !store.gate.valid(e)) {
      return FAILED;
    }
    if (candidateValue.length < len) {
      candidateValue = new byte[Math.max(len, candidateValue.length * 2)];
    }
    store.vlog.copy(vt, record, len, candidateValue);
    candidateValueLength = len;
    return Store.valid(s, n, v) ? CAPTURED : FAILED;
  }

  private boolean beyondLast() {
    int cmp = Arrays.compareUnsigned(candidateKey, 0, candidateKeyLength, key, 0, keyLength);
    return ascending ? cmp > 0 : cmp < 0;
  }

  private boolean inRange() {
    if (ascending) {
      return upper == null
          || Arrays.compareUnsigned(candidateKey, 0, candidateKeyLength, upper, 0, upper.length)
              < 0;
    }
    return lower == null
        || Arrays.compareUnsigned(candidateKey, 0, candidateKeyLength, lower, 0, lower.length) >= 0;
  }

  private static MemorySegment segmentOf(byte[] bound) {
    return bound == null ? null : MemorySegment.ofArray(bound);
  }
}
