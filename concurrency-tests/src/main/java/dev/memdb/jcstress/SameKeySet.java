package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.MemDB;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * (c) A get racing a set of the same key: old or new value, nothing else. r1: 1 = old, 2 = new,
 * -1 = anything else (a mix of both, a wrong length, null), -2 = an exception.
 */
public class SameKeySet {
  private SameKeySet() {}

  static final byte[] KEY = TestSupport.key(7);
  static final byte[] OLD = TestSupport.value('A', 32);
  static final byte[] NEW_SAME_LENGTH = TestSupport.value('B', 32);
  static final byte[] NEW_LONGER = TestSupport.value('C', 48);

  static int classify(byte[] got, byte[] now) {
    if (got == null) {
      return -1;
    }
    if (java.util.Arrays.equals(got, OLD)) {
      return 1;
    }
    return java.util.Arrays.equals(got, now) ? 2 : -1;
  }

  static MemDB prefilled() {
    MemDB db = MemDB.create(TestSupport.TINY);
    for (int i = 0; i < 6; i++) {
      db.set(TestSupport.key(i * 3), TestSupport.value(i, 8));
    }
    db.set(KEY, OLD);
    return db;
  }

  /**
   * Same length and no stage open: the writer overwrites the record in place (a seqlock-style
   * window on the node), the hardest case for a torn read.
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "old value")
  @Outcome(id = "2", expect = ACCEPTABLE, desc = "new value")
  @Outcome(expect = FORBIDDEN, desc = "torn or wrong value, or an exception")
  @State
  public static class InPlaceOverwrite {
    private final MemDB db = prefilled();

    @Actor
    public void writer() {
      db.set(KEY, NEW_SAME_LENGTH);
    }

    @Actor
    public void reader(I_Result r) {
      try {
        r.r1 = classify(db.get(KEY), NEW_SAME_LENGTH);
      } catch (RuntimeException e) {
        r.r1 = -2;
      }
    }

    @Arbiter
    public void close() {
      db.close();
    }
  }

  /** A longer value: a new record appended to the value log and swung in by the node. */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "old value")
  @Outcome(id = "2", expect = ACCEPTABLE, desc = "new value")
  @Outcome(expect = FORBIDDEN, desc = "torn or wrong value, or an exception")
  @State
  public static class NewRecord {
    private final MemDB db = prefilled();

    @Actor
    public void writer() {
      db.set(KEY, NEW_LONGER);
    }

    @Actor
    public void reader(I_Result r) {
      try {
        r.r1 = classify(db.get(KEY), NEW_LONGER);
      } catch (RuntimeException e) {
        r.r1 = -2;
      }
    }

    @Arbiter
    public void close() {
      db.close();
    }
  }
}
