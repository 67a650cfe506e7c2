package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.FlagsOp;
import dev.memdb.MemDB;
import dev.memdb.MemDBIterator;
import java.util.Arrays;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LI_Result;

/**
 * (h) An iterator pass that validates its shown nodes late. Phase 1 of a pass adds a shown node
 * without validating it; phase 2 copies every entry's key and value and then validates all of them
 * after one fence, and phase 1 validates the shown nodes it added before a hidden node's fields or
 * link decide anything. Passes capture 1, then 4 entries, so the writer below races with the
 * second pass, in the middle of its batch.
 *
 * <ul>
 *   <li>{@link InPlaceOverwrite}: keys 1 … 6 with 32-byte values; the writer overwrites key 4's
 *       value in place (same length, no stage). The second pass captures 2, 3, 4, 5; key 4's value
 *       must come out whole, old or new. A value copied from the record while the writer's copy ran
 *       and kept without the validation after it comes out torn ({@code 4!}).
 *   <li>{@link InsertBeforeHidden}: keys 0, 1 and 5 with values and 3 flag-only (hidden from a
 *       plain iterator); the writer inserts 2, which changes 1's {@code next}. The second pass
 *       steps to 1, follows 1's link without validating 1, and reaches 3, hidden: only validating
 *       1 there tells whether the link that led to 3 was 1's link at one moment. If it was not,
 *       the walk may have come to 3 past a 2 already linked, and lose it ({@code 0 1 5} with 2 in
 *       the buffer throughout the walk cannot be told from "walked before the insert", so the test
 *       checks what it can: order, values, no exception, no repeat).
 * </ul>
 *
 * <p>r1: the keys in iteration order separated by spaces; a key whose value is the writer's new
 * value carries {@code *}, one whose value is neither its old nor its new value {@code !}; {@code
 * exception X} for an exception. r2, from the arbiter: 0 = the write did not happen (the test
 * exercised nothing), 1 = it did, 2 = it did and some read of the buffer started again.
 *
 * <p>The first case was planted once (phase 2 keeping its copies without the final {@code
 * firstChanged} validation); see {@code native-layout-docs/concurrency-evidence.md} for what quick
 * mode found.
 */
public class IteratorPassValidation {
  private IteratorPassValidation() {}

  static final int VALUE_LENGTH = 32;
  static final int OVERWRITTEN = 4;

  /** The value key 4 is overwritten with: as long as the old one, every byte different. */
  static byte[] newValue() {
    return TestSupport.value(0x40 + OVERWRITTEN, VALUE_LENGTH);
  }

  static MemDB prefilled(int... keys) {
    MemDB db = MemDB.create(TestSupport.TINY);
    for (int k : keys) {
      db.set(TestSupport.key(k), TestSupport.value(k, VALUE_LENGTH));
    }
    return db;
  }

  /** Every key an iterator yields, marked as the class comment says. The iterator is closed. */
  static String walk(MemDBIterator it) {
    return TestSupport.walk(
        it,
        (i, v) ->
            i == OVERWRITTEN && Arrays.equals(v, newValue())
                ? "*"
                : Arrays.equals(v, TestSupport.value(i, VALUE_LENGTH)) ? "" : "!");
  }

  static int outcome(MemDB db, boolean happened) {
    return !happened ? 0 : db.stats().readRetries() > 0 ? 2 : 1;
  }

  /** Key 4's value overwritten in place while a pass copies it. */
  @JCStressTest
  @Outcome(id = "1 2 3 4 5 6, 1", expect = ACCEPTABLE, desc = "copied before the overwrite")
  @Outcome(id = "1 2 3 4* 5 6, 1", expect = ACCEPTABLE, desc = "copied after the overwrite")
  @Outcome(
      id = {"1 2 3 4 5 6, 2", "1 2 3 4* 5 6, 2"},
      expect = ACCEPTABLE_INTERESTING,
      desc = "a pass started again (a node changed under it), then the walk came out right")
  @Outcome(
      id = {"1 2 3 4 5 6, 0", "1 2 3 4* 5 6, 0"},
      expect = FORBIDDEN,
      desc = "NO WRITE: key 4 does not hold the new value afterwards, the test exercised nothing")
  @Outcome(
      expect = FORBIDDEN,
      desc = "a torn value (4!), a key lost, twice or out of order, or an exception")
  @State
  public static class InPlaceOverwrite {
    private final MemDB db = prefilled(1, 2, 3, 4, 5, 6);

    @Actor
    public void writer() {
      db.set(TestSupport.key(OVERWRITTEN), newValue());
    }

    @Actor
    public void reader(LI_Result r) {
      r.r1 = walk(db.iterator(null, null));
    }

    @Arbiter
    public void arbiter(LI_Result r) {
      boolean written = Arrays.equals(db.get(TestSupport.key(OVERWRITTEN)), newValue());
      r.r2 = outcome(db, written);
      db.close(); // blocks go back to the pool for the next samples
    }
  }

  /** Key 2 inserted after 1, whose link the pass follows to the hidden 3 unvalidated. */
  @JCStressTest
  @Outcome(id = "0 1 5, 1", expect = ACCEPTABLE, desc = "walked before 2 was linked")
  @Outcome(id = "0 1 2 5, 1", expect = ACCEPTABLE, desc = "walked after 2 was linked")
  @Outcome(
      id = {"0 1 5, 2", "0 1 2 5, 2"},
      expect = ACCEPTABLE_INTERESTING,
      desc = "a pass started again (a node changed under it), then the walk came out right")
  @Outcome(
      id = {"0 1 5, 0", "0 1 2 5, 0"},
      expect = FORBIDDEN,
      desc = "NO INSERT: key 2 not in the buffer afterwards, the test exercised nothing")
  @Outcome(
      expect = FORBIDDEN,
      desc = "the hidden key shown, a key lost, twice or out of order, a wrong value, or an exception")
  @State
  public static class InsertBeforeHidden {
    private final MemDB db = hiddenThree();

    static MemDB hiddenThree() {
      MemDB db = prefilled(0, 1);
      db.updateFlags(TestSupport.key(3), FlagsOp.SET_KEY_LOCKED);
      db.set(TestSupport.key(5), TestSupport.value(5, VALUE_LENGTH));
      return db;
    }

    @Actor
    public void writer() {
      db.set(TestSupport.key(2), TestSupport.value(2, VALUE_LENGTH));
    }

    @Actor
    public void reader(LI_Result r) {
      r.r1 = walk(db.iterator(null, null));
    }

    @Arbiter
    public void arbiter(LI_Result r) {
      boolean inserted =
          Arrays.equals(db.get(TestSupport.key(2)), TestSupport.value(2, VALUE_LENGTH));
      r.r2 = outcome(db, inserted);
      db.close(); // blocks go back to the pool for the next samples
    }
  }
}
