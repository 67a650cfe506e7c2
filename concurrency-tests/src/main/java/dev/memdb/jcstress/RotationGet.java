package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.MemDB;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * (d) A get racing a rotation at the root of the red-black tree. The reader gets both existing
 * keys (r1, r2: 1 = its value, anything else is a lost or wrong key) and the new one (r3: 0 =
 * absent, 1 = complete, -1 = wrong).
 */
public class RotationGet {
  private RotationGet() {}

  static MemDB with(int... keys) {
    MemDB db = MemDB.create(TestSupport.TINY);
    for (int k : keys) {
      db.set(TestSupport.key(k), TestSupport.value(k, 16));
    }
    return db;
  }

  static void read(MemDB db, int a, int b, int fresh, III_Result r) {
    try {
      r.r1 = TestSupport.classify(db.get(TestSupport.key(a)), TestSupport.value(a, 16));
      r.r2 = TestSupport.classify(db.get(TestSupport.key(b)), TestSupport.value(b, 16));
      r.r3 = TestSupport.classify(db.get(TestSupport.key(fresh)), TestSupport.value(fresh, 16));
    } catch (RuntimeException e) {
      r.r1 = -2;
    }
  }

  /** 1 (black root), 2 (red right child); inserting 3 rotates left at the root: 2 becomes root. */
  @JCStressTest
  @Outcome(id = {"1, 1, 0", "1, 1, 1"}, expect = ACCEPTABLE, desc = "old keys intact; new key absent or complete")
  @Outcome(expect = FORBIDDEN, desc = "an existing key lost or wrong during the rotation")
  @State
  public static class SingleRotationAtRoot {
    private final MemDB db = with(1, 2);

    @Actor
    public void writer() {
      db.set(TestSupport.key(3), TestSupport.value(3, 16));
    }

    @Actor
    public void reader(III_Result r) {
      read(db, 1, 2, 3, r);
    }

    @Arbiter
    public void close() {
      db.close();
    }
  }

  /** 1 (root), 3 (red right child); inserting 2 rotates right at 3, then left at the root. */
  @JCStressTest
  @Outcome(id = {"1, 1, 0", "1, 1, 1"}, expect = ACCEPTABLE, desc = "old keys intact; new key absent or complete")
  @Outcome(expect = FORBIDDEN, desc = "an existing key lost or wrong during the double rotation")
  @State
  public static class DoubleRotationAtRoot {
    private final MemDB db = with(1, 3);

    @Actor
    public void writer() {
      db.set(TestSupport.key(2), TestSupport.value(2, 16));
    }

    @Actor
    public void reader(III_Result r) {
      read(db, 1, 3, 2, r);
    }

    @Arbiter
    public void close() {
      db.close();
    }
  }

  /**
   * 1..7 inserted in order; inserting 8 recolours 5, 7 and 6, then rotates left at 2: 4 rises, and
   * the subtree at 3 moves from 4's left to 2's right. Since layout version 5 the moved subtree is
   * not bracketed (it is not written, and its key interval stays between 2 and 4): a reader of 3
   * must still find it, as it must find 4 and, once complete, 8.
   */
  @JCStressTest
  @Outcome(id = {"1, 1, 0", "1, 1, 1"}, expect = ACCEPTABLE, desc = "old keys intact; new key absent or complete")
  @Outcome(expect = FORBIDDEN, desc = "a key in the moved subtree, or its new parent, lost or wrong")
  @State
  public static class RotationMovingASubtree {
    private final MemDB db = with(1, 2, 3, 4, 5, 6, 7);

    @Actor
    public void writer() {
      db.set(TestSupport.key(8), TestSupport.value(8, 16));
    }

    @Actor
    public void reader(III_Result r) {
      read(db, 3, 4, 8, r);
    }

    @Arbiter
    public void close() {
      db.close();
    }
  }
}
