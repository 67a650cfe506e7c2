package dev.memdb.internal.core;

import dev.memdb.KeyFlags;
import dev.memdb.MemDBIterator;
import dev.memdb.Snapshot;
import dev.memdb.StaleSnapshotException;
import dev.memdb.internal.arena.ArenaMark;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A snapshot: reads the value each key had at a value-log position, by walking its history chain
 * back to the newest record written at or before that position.
 */
public final class SnapshotView implements Snapshot {
  private static final byte[] NO_BYTES = new byte[0];

  private final Store store;
  private final ArenaMark mark;
  private final long position;
  private final boolean inStage;
  private final long stageSerial;
  private final long generation;

  /**
   * Writer (under the lock): takes a snapshot of the store as of its outermost stage's start.
   *
   * @param store the store
   */
  public SnapshotView(Store store) {
    this.store = store;
    Stages stages = store.stages;
    this.mark = stages.snapshotMark();
    this.position = mark.position();
    this.inStage = stages.depth() > 0;
    this.stageSerial = stages.outerStageSerial;
    this.generation = stages.snapshotGeneration;
  }

  long position() {
    return position;
  }

  @Override
  public boolean isValid() {
    Stages stages = store.stages;
    return !store.gate.isClosed()
        && stages.snapshotGeneration == generation
        && (!inStage || stages.outerStageSerial == stageSerial);
  }

  void checkValid() {
    if (!isValid()) {
      throw new StaleSnapshotException(
          "snapshot as of "
              + mark
              + " is no longer valid: "
              + (store.gate.isClosed()
                  ? "the MemDB was closed"
                  : inStage && store.stages.outerStageSerial != stageSerial
                      ? "the outermost stage it was taken in has ended"
                      : "the MemDB was reset, reverted below it, or its values were discarded"));
    }
  }

  @Override
  public byte[] get(byte[] key) {
    Objects.requireNonNull(key, "key");
    byte[] v = store.getAsOf(key, this);
    checkValid();
    return v;
  }

  @Override
  public int get(byte[] key, byte[] dst) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(dst, "dst");
    long length = store.getIntoAsOf(key, dst, this);
    checkValid();
    return (int) length;
  }

  @Override
  public long get(MemorySegment key, MemorySegment dst) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(dst, "dst");
    long length = store.getIntoAsOf(key, dst, this);
    checkValid();
    return length;
  }

  @Override
  public KeyFlags getFlags(byte[] key) {
    Objects.requireNonNull(key, "key");
    // Two reads, but no torn answer: while the snapshot is valid, whether a key had a value at its
    // position cannot change (records at or before it are never undone), and such a key's node
    // stays in the tree; the final check catches a reset between the two.
    boolean hadValue = store.getIntoAsOf(key, NO_BYTES, this) != Store.ABSENT;
    KeyFlags flags = hadValue ? store.getFlags(key) : null;
    checkValid();
    return flags;
  }

  @Override
  public MemDBIterator iterator(byte[] lower, byte[] upper) {
    checkValid();
    return new Cursor(store, lower, upper, true, false, this);
  }

  @Override
  public MemDBIterator descendingIterator(byte[] lower, byte[] upper) {
    checkValid();
    return new Cursor(store, lower, upper, false, false, this);
  }

  @Override
  public String toString() {
    return "Snapshot[" + mark + (isValid() ? "" : ", stale") + "]";
  }
}
