package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.FlagsOp;
import dev.memdb.KeyFlag;
import dev.memdb.KeyFlags;
import dev.memdb.MemDB;
import dev.memdb.MemDBOptions;
import java.util.Arrays;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * (k) A stage cleanup undone one record per chunk, racing a locker that reads a staged key and
 * then locks it (issue 10, item 3). With one-record chunks the rollback hands the write lock to
 * the queued locker between two records: before its linearization point (the lock is a write
 * before the rollback, and the count of the rollback follows it) or after it (the lock lands on a
 * key the rollback may not have reached yet: the locker settles that one node first). r1, the
 * locker's read: 1 = the committed value, 2 = the staged one, -1 = anything else, -2 = an
 * exception. r2, the locker reading its own locks back: 1 = both locked, -1 = not. r3, the arbiter: 1 = the buffer is exactly as cleanup-then-lock leaves it (which is
 * also what lock-then-cleanup leaves, as the lock flag survives a rollback), -1 = it is not.
 */
@JCStressTest
@Outcome(id = {"1, 1, 1", "2, 1, 1"}, expect = ACCEPTABLE, desc = "before or after the rollback; locked; consistent")
@Outcome(expect = FORBIDDEN, desc = "a wrong value, a lost lock, or a state no order of the two leaves")
@State
public class ChunkedRollback {
  static final byte[] KEY = TestSupport.key(7);
  static final byte[] COMMITTED = TestSupport.value('A', 16);
  static final byte[] STAGED = TestSupport.value('B', 40);
  static final byte[] NEW_KEY = TestSupport.key(8);
  static final FlagsOp[] LOCK = {FlagsOp.SET_KEY_LOCKED};

  static final MemDBOptions ONE_RECORD_CHUNKS =
      MemDBOptions.builder()
          .initialBlockSize(MemDBOptions.MIN_BLOCK_SIZE)
          .maxBlockSize(1 << 20)
          .rollbackChunkRecords(1)
          .build();

  /** What both orders leave, computed once on one thread. */
  static final String EXPECTED = expected();

  private final MemDB db = MemDB.create(ONE_RECORD_CHUNKS);
  private final int stage;

  public ChunkedRollback() {
    stage = fill(db);
  }

  /** Committed KEY; a stage overwrites it twice and adds NEW_KEY and two more: five records. */
  static int fill(MemDB db) {
    db.set(TestSupport.key(1), TestSupport.value(1, 8));
    db.set(KEY, COMMITTED);
    int h = db.staging();
    db.set(KEY, STAGED);
    db.set(NEW_KEY, TestSupport.value(8, 24));
    db.set(TestSupport.key(2), TestSupport.value(2, 8));
    db.set(KEY, TestSupport.value('C', 40));
    db.set(KEY, STAGED);
    return h;
  }

  static String describe(MemDB db) {
    KeyFlags f = db.getFlags(KEY);
    return db.keyCount()
        + "/"
        + db.dataSize()
        + "/"
        + db.stagingDepth()
        + "/"
        + Arrays.toString(db.get(KEY))
        + "/"
        + Arrays.toString(db.get(NEW_KEY))
        + "/"
        + Arrays.toString(db.get(TestSupport.key(2)))
        + "/"
        + (f != null && f.has(KeyFlag.KEY_LOCKED))
        + "/"
        + db.getFlags(NEW_KEY);
  }

  private static String expected() {
    String cleanupFirst;
    String lockFirst;
    try (MemDB a = MemDB.create(ONE_RECORD_CHUNKS)) {
      a.cleanup(fill(a));
      a.updateFlags(KEY, LOCK);
      a.updateFlags(NEW_KEY, LOCK);
      cleanupFirst = describe(a);
    }
    try (MemDB b = MemDB.create(ONE_RECORD_CHUNKS)) {
      int h = fill(b);
      b.updateFlags(KEY, LOCK);
      b.updateFlags(NEW_KEY, LOCK);
      b.cleanup(h);
      lockFirst = describe(b);
    }
    if (!cleanupFirst.equals(lockFirst)) {
      throw new AssertionError("the two orders differ: " + cleanupFirst + " vs " + lockFirst);
    }
    return cleanupFirst;
  }

  @Actor
  public void rollback() {
    db.cleanup(stage);
  }

  @Actor
  public void locker(III_Result r) {
    try {
      byte[] got = db.get(KEY);
      r.r1 = Arrays.equals(got, COMMITTED) ? 1 : Arrays.equals(got, STAGED) ? 2 : -1;
      db.updateFlags(KEY, LOCK);
      db.updateFlags(NEW_KEY, LOCK); // a key the stage added: the lock makes it outlive the rollback
      KeyFlags f = db.getFlags(KEY);
      KeyFlags g = db.getFlags(NEW_KEY);
      r.r2 = f != null && f.has(KeyFlag.KEY_LOCKED) && g != null && g.has(KeyFlag.KEY_LOCKED) ? 1 : -1;
    } catch (RuntimeException e) {
      r.r1 = -2;
      r.r2 = -2;
    }
  }

  @Arbiter
  public void check(III_Result r) {
    r.r3 = EXPECTED.equals(describe(db)) ? 1 : -1;
    db.close();
  }
}
