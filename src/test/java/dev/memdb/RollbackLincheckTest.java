package dev.memdb;

import static dev.memdb.MemDBLincheckTest.key;
import static dev.memdb.MemDBLincheckTest.show;
import static dev.memdb.MemDBLincheckTest.value;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of a rollback undone one record per chunk (issue 10, item 3) against lockers
 * running in parallel with it, checked by Lincheck against the same class run sequentially. The
 * transaction's statements (set, staging, cleanup, revert to a checkpoint) are one non-parallel
 * group; lock and unlock (flags-only {@code updateFlags}, which a rollback lets in between its
 * chunks) and the readers run on the other threads. With one-record chunks, any locker queued on
 * the write lock while a cleanup runs goes in between two records, before the rollback's
 * linearization point (while it counts) or after it (while it undoes).
 *
 * <p>Budgets: {@code -Dmemdb.lincheck.scale=N} multiplies the default iterations (default 1).
 */
@Tag("lincheck")
@Param(name = "key", gen = IntGen.class, conf = "1:4")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class RollbackLincheckTest {
  private static final int SCALE = Integer.getInteger("memdb.lincheck.scale", 1);

  private final MemDB db =
      MemDB.create(
          MemDBOptions.builder()
              .initialBlockSize(64)
              .maxBlockSize(1024)
              .rollbackChunkRecords(1)
              .build(),
          MemDBLincheckTest.AUTO);

  private Checkpoint checkpoint;

  // ------------------------------------------------------------------ the transaction's statements

  @Operation(nonParallelGroup = "writer")
  public void set(@Param(name = "key") int k, @Param(name = "value") int v) {
    db.set(key(k), value(k, v));
  }

  @Operation(nonParallelGroup = "writer")
  public int staging() {
    return db.staging();
  }

  @Operation(nonParallelGroup = "writer")
  public void cleanupInnermost() {
    db.cleanup(db.stagingDepth());
  }

  @Operation(nonParallelGroup = "writer")
  public void checkpoint() {
    checkpoint = db.checkpoint();
  }

  /** Reverts to the last checkpoint if it is still valid; false if it is not (or there is none). */
  @Operation(nonParallelGroup = "writer")
  public boolean revertToCheckpoint() {
    if (checkpoint == null) {
      return false;
    }
    try {
      db.revertToCheckpoint(checkpoint);
      return true;
    } catch (IllegalArgumentException stale) {
      return false;
    }
  }

  // ------------------------------------------------------------------ lockers and readers

  @Operation
  public void lock(@Param(name = "key") int k) {
    db.updateFlags(key(k), FlagsOp.SET_KEY_LOCKED);
  }

  @Operation
  public void unlock(@Param(name = "key") int k) {
    db.updateFlags(key(k), FlagsOp.DEL_KEY_LOCKED);
  }

  @Operation
  public String get(@Param(name = "key") int k) {
    return show(db.get(key(k)));
  }

  @Operation
  public Integer getFlags(@Param(name = "key") int k) {
    KeyFlags f = db.getFlags(key(k));
    return f == null ? null : f.bits();
  }

  @Operation
  public long keyCount() {
    return db.keyCount();
  }

  @Operation
  public long dataSize() {
    return db.dataSize();
  }

  // ------------------------------------------------------------------ runs

  @Test
  void stress() {
    new StressOptions()
        .iterations(15 * SCALE)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(4)
        .actorsAfter(2)
        .check(getClass());
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(10 * SCALE)
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(4)
        .actorsAfter(1)
        .check(getClass());
  }
}
