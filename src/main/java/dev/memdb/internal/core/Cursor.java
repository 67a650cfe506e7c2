package dev.memdb.internal.core;

import dev.memdb.KeyFlags;
import dev.memdb.MemDBIterator;
import dev.memdb.internal.layout.NodeLayout;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A weakly consistent iterator over the tree: it hands out, one by one, the entries its {@link
 * CursorReadAhead} side captured in validated passes; {@link #next()} moves through a pass without
 * touching off-heap memory.
 *
 * <p><b>Ownership.</b> Used by one thread at a time (the {@link MemDBIterator} contract); every
 * field is that thread's.
 */
final class Cursor extends CursorReadAhead implements MemDBIterator {
  private int pos;
  private boolean valid;

  /** Set by {@link #close()}: unlike running to the end, it ends the iterator for good. */
  private boolean closed;

  Cursor(
      Store store,
      byte[] lower,
      byte[] upper,
      boolean ascending,
      boolean withFlagOnly,
      SnapshotView snapshot) {
    super(store, lower, upper, ascending, withFlagOnly, snapshot);
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
      restartFrom(from);
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
    releaseBatches();
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

  /** Reads the next pass and stands on its first entry, or ends the iteration if it has none. */
  private void fill() {
    readPass();
    pos = 0;
    valid = batch.count > 0;
    if (!valid) {
      release();
    }
  }
}
