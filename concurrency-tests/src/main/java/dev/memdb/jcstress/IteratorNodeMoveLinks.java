package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.MemDB;
import dev.memdb.MemDBStats;
import dev.memdb.internal.layout.NodeLayout;
import java.util.StringJoiner;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LI_Result;

/**
 * (h) An iterator walking the in-order links while the insert of a key between two existing ones
 * moves the node block. The buffer holds the even keys 0, 2, .., 2 (PREFILL - 1) (4-byte keys,
 * 8-byte values, {@link TestSupport#TINY} blocks), so many that the node block has no room for one
 * more node; the writer inserts an odd key in the middle, which copies the node block into one
 * twice as large ({@code SingleBlockArena}), bumps the read epoch and only then links the new node,
 * in the new block, between its neighbours. The reader walks the whole buffer in one iterator (its
 * passes capture 1, 4, 16 and then 32 entries, so the walk spans several passes, each on the block
 * it loaded when it started, and the new key lies in the third).
 *
 * <p>r1: {@code without new} = every old key in order with its value, the new key absent; {@code
 * with new} = the same with the new key at its place; anything else is {@code bad:} and the walk
 * (keys separated by spaces, {@code !} after a wrong value, {@code ?} for a key that is not 4
 * bytes), or {@code exception X}. r2, from the arbiter: 0 = NO MOVE (the node block did not end as
 * one block twice as large, or the new key is not there: the test exercised nothing), 1 = moved, 2
 * = moved and the iterator had to start a pass again at least once (a failed epoch or node check:
 * the move or the insert under the walk).
 *
 * <p>Why each FORBIDDEN walk is what a broken protocol produces:
 *
 * <ul>
 *   <li><b>Old keys missing or wrong keys after some point</b>, or an exception: a pass that keeps
 *       following links in a block that is not yet (or no longer) a copy of the tree: the new block
 *       published before the copy into it is complete (its unwritten bytes are zeros or a former
 *       buffer's nodes, whose versions look stable and whose links lead anywhere), or a pass that
 *       answers from the old block after its bytes were reused without failing its epoch check.
 *   <li><b>A pre-existing key missing after the new one</b>: the new node's {@code next} set after
 *       the release that publishes its predecessor's link to it (see {@link IteratorInsertLinks}).
 *   <li><b>A key twice or out of order</b>: a pass re-seeking after the failed epoch check from
 *       anywhere but strictly beyond the last key returned.
 * </ul>
 *
 * <p>What this cannot catch (as {@link NodeArenaMoveGet.Insert}): a missing epoch bump. Within a
 * sample nothing writes into the old block after the move, so a walk that finishes on it answers as
 * of just before the insert, which is {@code without new}.
 */
public class IteratorNodeMoveLinks {
  private IteratorNodeMoveLinks() {}

  static final int VALUE_LENGTH = 8;

  /** Keys 0, 2, .., 2 (PREFILL - 1) fill the node block; one more node does not fit. */
  static final int PREFILL = prefillOneNodeShort(16);

  /** The odd key the writer inserts, in the middle of the old ones. */
  static final int NEW_KEY = 2 * (PREFILL / 2) + 1;

  static final String WITHOUT = keys(false);
  static final String WITH = keys(true);
  static final long MOVED_BYTES;

  static {
    try (MemDB probe = prefilled(PREFILL)) {
      MemDBStats.ArenaStats n = probe.stats().nodes();
      if (n.blocks() != 1 || fits(n)) {
        throw new AssertionError("the node block should be one node short: " + n);
      }
      insert(probe);
      MemDBStats.ArenaStats m = probe.stats().nodes();
      if (m.blocks() != 1 || m.bytesAllocated() != 2 * n.bytesAllocated()) {
        throw new AssertionError("the insert should move the node block: " + n + " -> " + m);
      }
      String walked = IteratorInsertLinks.walk(probe.iterator(null, null), VALUE_LENGTH);
      if (!walked.equals(WITH)) {
        throw new AssertionError("a quiet walk after the insert: " + walked);
      }
      MOVED_BYTES = m.bytesAllocated();
    }
  }

  /** Whether one more node with a 4-byte key fits in the node block. */
  static boolean fits(MemDBStats.ArenaStats s) {
    long start = (s.bytesUsed() + NodeLayout.ALIGNMENT - 1) & -NodeLayout.ALIGNMENT;
    return start + NodeLayout.size(4) <= s.bytesAllocated();
  }

  /** A buffer holding the even keys 0 .. 2 (n - 1), inserted in ascending order. */
  static MemDB prefilled(int n) {
    MemDB db = MemDB.create(TestSupport.TINY);
    for (int i = 0; i < n; i++) {
      db.set(TestSupport.key(2 * i), TestSupport.value(2 * i, VALUE_LENGTH));
    }
    return db;
  }

  static void insert(MemDB db) {
    db.set(TestSupport.key(NEW_KEY), TestSupport.value(NEW_KEY, VALUE_LENGTH));
  }

  /** The smallest n >= min such that after n keys one more node does not fit in the node block. */
  static int prefillOneNodeShort(int min) {
    for (int n = min; n < 10_000; n++) {
      try (MemDB db = prefilled(n)) {
        if (!fits(db.stats().nodes())) {
          return n;
        }
      }
    }
    throw new AssertionError("no prefill leaves the node block one node short");
  }

  /** The walk {@link IteratorInsertLinks#walk} gives of the old keys, with or without the new. */
  private static String keys(boolean withNew) {
    StringJoiner j = new StringJoiner(" ");
    for (int i = 0; i < PREFILL; i++) {
      j.add(Integer.toString(2 * i));
      if (withNew && 2 * i + 1 == NEW_KEY) {
        j.add(Integer.toString(NEW_KEY));
      }
    }
    return j.toString();
  }

  /** The ascending walk across the move. */
  @JCStressTest
  @Outcome(id = "without new, 1", expect = ACCEPTABLE, desc = "moved; walked before the new key")
  @Outcome(id = "with new, 1", expect = ACCEPTABLE, desc = "moved; walked after the new key")
  @Outcome(
      id = {"without new, 2", "with new, 2"},
      expect = ACCEPTABLE_INTERESTING,
      desc = "moved; a pass started again (the move or the insert under it), walk right")
  @Outcome(
      id = {"without new, 0", "with new, 0"},
      expect = FORBIDDEN,
      desc = "NO MOVE: the node block did not move, the test exercised nothing")
  @Outcome(
      expect = FORBIDDEN,
      desc = "an old key lost, a key twice or out of order, a wrong value, or an exception")
  @State
  public static class Ascending {
    private final MemDB db = prefilled(PREFILL);

    @Actor
    public void writer() {
      insert(db);
    }

    @Actor
    public void reader(LI_Result r) {
      String walked = IteratorInsertLinks.walk(db.iterator(null, null), VALUE_LENGTH);
      r.r1 =
          walked.equals(WITHOUT)
              ? "without new"
              : walked.equals(WITH) ? "with new" : "bad: " + walked;
    }

    @Arbiter
    public void arbiter(LI_Result r) {
      MemDBStats s = db.stats();
      boolean moved =
          s.nodes().blocks() == 1
              && s.nodes().bytesAllocated() == MOVED_BYTES
              && IteratorInsertLinks.inserted(db, NEW_KEY, VALUE_LENGTH) > 0;
      r.r2 = !moved ? 0 : s.readRetries() > 0 ? 2 : 1;
      db.close(); // blocks go back to the pool for the next samples
    }
  }
}
