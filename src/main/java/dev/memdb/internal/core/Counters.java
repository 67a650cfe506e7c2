package dev.memdb.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Key count, data size and the dirty flag, changed by the writer together at the linearization
 * point of a write and read by anyone without a lock.
 *
 * <p>A sequence word (odd while the writer stores) makes the three change as one: a reader of the
 * counters spins for the few stores of that window. The writer opens the window inside the change
 * window of the node that makes the write visible, so a reader that sees new counters and then
 * reads that node waits for the node too, and a reader that saw the node's new state validated an
 * even version stored after the counters: both orders agree with one linearization point.
 */
final class Counters {
  private static final VarHandle SEQ;

  static {
    try {
      SEQ =
          MethodHandles.lookup()
              .findVarHandle(Counters.class, "seq", int.class)
              .withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through SEQ
  private int seq;

  private long keyCount;
  private long dataSize;
  private boolean dirty;

  /** Writer: the key count (its own last store). */
  long keyCountPlain() {
    return keyCount;
  }

  /** Writer: the data size (its own last store). */
  long dataSizePlain() {
    return dataSize;
  }

  /** Writer: the dirty flag (its own last store). */
  boolean dirtyPlain() {
    return dirty;
  }

  /**
   * Writer: stores new counters as one change.
   *
   * @param newKeyCount live keys
   * @param newDataSize key plus value bytes
   * @param newDirty the dirty flag
   */
  void publish(long newKeyCount, long newDataSize, boolean newDirty) {
    beginPublish();
    keyCount = newKeyCount;
    dataSize = newDataSize;
    dirty = newDirty;
    SEQ.setRelease(this, (int) SEQ.get(this) + 1);
  }

  /**
   * Writer: opens the counters' window early, so that something else (the start of a revert) can
   * happen inside it; {@link #publish} closes it.
   */
  void beginPublish() {
    int s = (int) SEQ.get(this);
    if ((s & 1) == 0) {
      SEQ.setOpaque(this, s + 1);
      VarHandle.storeStoreFence();
    }
  }

  /** Reader: the key count. */
  long keyCount() {
    while (true) {
      int s = (int) SEQ.getAcquire(this);
      long v = keyCount;
      if (stable(s)) {
        return v;
      }
      Thread.onSpinWait();
    }
  }

  /** Reader: the data size. */
  long dataSize() {
    while (true) {
      int s = (int) SEQ.getAcquire(this);
      long v = dataSize;
      if (stable(s)) {
        return v;
      }
      Thread.onSpinWait();
    }
  }

  /** Reader: the dirty flag. */
  boolean dirty() {
    while (true) {
      int s = (int) SEQ.getAcquire(this);
      boolean v = dirty;
      if (stable(s)) {
        return v;
      }
      Thread.onSpinWait();
    }
  }

  private boolean stable(int s) {
    VarHandle.loadLoadFence();
    return (s & 1) == 0 && (int) SEQ.get(this) == s;
  }
}
