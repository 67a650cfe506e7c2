package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.MemDB;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * (e) close racing a get: the value, or {@code IllegalStateException("MemDB is closed")}, nothing
 * else, and never a crash (close frees the blocks; they go back to memdb's pool and another
 * sample's buffer may write into them at once). r1 for get, r2 for getFlags: 1 = the right answer,
 * 2 = closed, -1 = a wrong answer, -2 = any other exception.
 */
@JCStressTest
@Outcome(id = {"1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = "read before the close, or closed")
@Outcome(expect = FORBIDDEN, desc = "a wrong value, another exception, or open again after closed")
@State
public class CloseGet {
  static final byte[] KEY = TestSupport.key(5);
  static final byte[] VALUE = TestSupport.value(5, 24);

  private final MemDB db = TestSupport.prefilled(5);

  public CloseGet() {
    db.set(KEY, VALUE, dev.memdb.FlagsOp.SET_KEY_LOCKED);
  }

  @Actor
  public void closer() {
    db.close();
  }

  @Actor
  public void reader(II_Result r) {
    try {
      r.r1 = TestSupport.classify(db.get(KEY), VALUE);
    } catch (IllegalStateException e) {
      r.r1 = "MemDB is closed".equals(e.getMessage()) ? 2 : -2;
    } catch (RuntimeException e) {
      r.r1 = -2;
    }
    try {
      var f = db.getFlags(KEY);
      r.r2 = f != null && f.has(dev.memdb.KeyFlag.KEY_LOCKED) ? 1 : -1;
    } catch (IllegalStateException e) {
      r.r2 = "MemDB is closed".equals(e.getMessage()) ? 2 : -2;
    } catch (RuntimeException e) {
      r.r2 = -2;
    }
  }
}
