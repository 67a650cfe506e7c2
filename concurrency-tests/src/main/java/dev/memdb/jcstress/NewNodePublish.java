package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.MemDB;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * (b) Publication of a new node: the seed race itself (Go's enlarge racing a reader's traverse).
 * The buffer is prefilled so that the writer's {@code set} of a new key needs a fresh block in
 * BOTH arenas (the node arena moves to a block twice as large, the value log adds one; blocks come
 * from memdb's pool, so they usually hold a former buffer's bytes). The reader gets the new key (r1: 0 = absent, 1 = the full value, -1 = anything
 * else) and then an old key (r2: 1 = its value).
 */
@JCStressTest
@Outcome(id = {"0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "new key absent or complete; old key intact")
@Outcome(expect = FORBIDDEN, desc = "partial value, wrong value, lost old key or an exception")
@State
public class NewNodePublish {
  static final int VALUE_LENGTH = 200;
  static final int PREFILL = TestSupport.prefillBeforeBothArenasGrow(4, VALUE_LENGTH);
  static final byte[] NEW_KEY = TestSupport.key(PREFILL);
  static final byte[] NEW_VALUE = TestSupport.value(PREFILL, VALUE_LENGTH);
  static final byte[] OLD_KEY = TestSupport.key(PREFILL / 2);
  static final byte[] OLD_VALUE = TestSupport.value(PREFILL / 2, 8);

  private final MemDB db = TestSupport.prefilled(PREFILL);

  @Actor
  public void writer() {
    db.set(NEW_KEY, NEW_VALUE);
  }

  @Actor
  public void reader(II_Result r) {
    try {
      r.r1 = TestSupport.classify(db.get(NEW_KEY), NEW_VALUE);
      r.r2 = TestSupport.classify(db.get(OLD_KEY), OLD_VALUE);
    } catch (RuntimeException e) {
      r.r1 = -2;
    }
  }

  @Arbiter
  public void close() {
    db.close(); // blocks go back to the pool for the next samples
  }
}
