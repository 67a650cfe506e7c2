package dev.memdb.internal.core;

import dev.memdb.MemDBIterator;
import dev.memdb.Snapshot;
import dev.memdb.StaleSnapshotException;
import dev.memdb.internal.arena.ArenaMark;

/**
 * A snapshot: reads the value each key had at a value-log position, by walking its history chain
 * back to the newest record written at or before that position.
 */
public final class SnapshotView implements Snapshot {
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
    java.util.Objects.requireNonNull(key, "key");
    byte[] v = store.getAsOf(key, this);
    checkValid();
    return v;
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
