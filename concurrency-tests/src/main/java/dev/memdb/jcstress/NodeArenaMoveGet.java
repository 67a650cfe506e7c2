package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.MemDB;
import dev.memdb.MemDBStats;
import java.util.Arrays;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * (f) A get racing a move of the node arena. The node arena is one block that, when full, is
 * copied into a block twice as large: the writer publishes the new block table, bumps the read
 * epoch ({@code ReadGate.relocated()}), writes the new node in the new block and frees the old
 * block (to memdb's pool, which hands it to the next arena of that size) once the write cannot
 * fail. The buffer is prefilled (4-byte keys, 64-byte first block: 25 nodes of 40 bytes fill a
 * 1,024-byte block) so that the node block is exactly one node short: the writer's {@code set} of a new key
 * must move it. A reader that started on the old block must fail its epoch check and start again,
 * never answer from it.
 *
 * <p>r4, from the arbiter, in both tests: 0 = NO MOVE (the node arena did not end as one block of
 * twice the size, or the writes are not all there: the test did not exercise the move, FORBIDDEN),
 * 1 = moved, 2 = moved and the reader restarted at least once (a failed epoch or node-version
 * check: the move, or the writer's node changes, under it).
 */
public class NodeArenaMoveGet {
  private NodeArenaMoveGet() {}

  static final int VALUE_LENGTH = 8;

  /** Keys 0..PREFILL-1 fill the node block; key PREFILL does not fit in it. */
  static final int PREFILL = prefillOneNodeShort(16);

  static final byte[] FIRST_KEY = TestSupport.key(0);
  static final byte[] FIRST_VALUE = TestSupport.value(0, VALUE_LENGTH);
  static final byte[] LAST_KEY = TestSupport.key(PREFILL - 1);
  static final byte[] NEW_KEY = TestSupport.key(PREFILL);
  static final byte[] NEW_VALUE = TestSupport.value(PREFILL, 24);

  /** The node header of layout version 4 (native-layout-docs/layout.md, NODE_HEADER_SIZE). */
  static final int NODE_HEADER_SIZE = 36;

  /**
   * Whether one more node fits in the arena's block: a node takes the 36-byte header plus the key,
   * padded to a multiple of 8, and starts 8-byte aligned (25 nodes with 4-byte keys use 25 * 40 =
   * 1,000 bytes).
   */
  static boolean fits(MemDBStats.ArenaStats s, int keyLength) {
    long node = (NODE_HEADER_SIZE + keyLength + 7) & ~7L;
    return ((s.bytesUsed() + 7) & ~7L) + node <= s.bytesAllocated();
  }

  /**
   * The smallest n >= min such that, after keys 0..n-1, the node block has no room for one more
   * node with a 4-byte key.
   */
  static int prefillOneNodeShort(int min) {
    for (int n = min; n < 10_000; n++) {
      try (MemDB db = TestSupport.prefilled(n)) {
        if (!fits(db.stats().nodes(), 4)) {
          return n;
        }
      }
    }
    throw new AssertionError("no prefill leaves the node block one node short");
  }

  /**
   * Checks once, on a probe, that the prefilled buffer's node arena is one full block and that the
   * writer moves it into one block of twice the size.
   *
   * @return the node bytes allocated after the move
   */
  static long movedBytes(MemDB probe, Runnable writer) {
    try (probe) {
      MemDBStats.ArenaStats n = probe.stats().nodes();
      if (n.blocks() != 1 || fits(n, NEW_KEY.length)) {
        throw new AssertionError("the node block should be one node short: " + n);
      }
      writer.run();
      MemDBStats.ArenaStats m = probe.stats().nodes();
      if (m.blocks() != 1 || m.bytesAllocated() != 2 * n.bytesAllocated()) {
        throw new AssertionError("the writer should move the node block: " + n + " -> " + m);
      }
      return m.bytesAllocated();
    }
  }

  /** The arbiter's r4: 0 = no move (or the writes missing), 1 = moved, 2 = moved and retried. */
  static int moved(MemDB db, long movedBytes, boolean writesThere) {
    MemDBStats s = db.stats();
    MemDBStats.ArenaStats n = s.nodes();
    boolean moved = n.blocks() == 1 && n.bytesAllocated() == movedBytes && writesThere;
    return !moved ? 0 : s.readRetries() > 0 ? 2 : 1;
  }

  /**
   * The insert that moves the node arena. r1, r2: the first and the last prefilled key (1 = its
   * value; 0 = absent and -1 = wrong are FORBIDDEN); r3: the new key (0 = absent, 1 = its full
   * value, -1 = anything else); -2 in r1 = an exception.
   *
   * <p>Note: this test cannot fail if the epoch bump is missing. Within a sample nothing writes
   * into the old block after the move (it is frozen until a later sample's arena reuses it), so a
   * reader answering from it answers as of just before the insert, which is a correct answer.
   * {@link InsertThenOverwrite} is the one that needs the bump.
   */
  @JCStressTest
  @Outcome(
      id = {"1, 1, 0, 1", "1, 1, 1, 1"},
      expect = ACCEPTABLE,
      desc = "moved; old keys intact; new key absent or complete")
  @Outcome(
      id = {"1, 1, 0, 2", "1, 1, 1, 2"},
      expect = ACCEPTABLE_INTERESTING,
      desc = "moved; the reader retried and then answered right")
  @Outcome(
      id = {"1, 1, 0, 0", "1, 1, 1, 0"},
      expect = FORBIDDEN,
      desc = "NO MOVE: the node arena did not move, the test exercised nothing")
  @Outcome(expect = FORBIDDEN, desc = "an old key lost or wrong, a partial new value, or an exception")
  @State
  public static class Insert {
    static final byte[] LAST_VALUE = TestSupport.value(PREFILL - 1, VALUE_LENGTH);
    static final long MOVED_BYTES;

    static {
      MemDB probe = TestSupport.prefilled(PREFILL);
      MOVED_BYTES = movedBytes(probe, () -> probe.set(NEW_KEY, NEW_VALUE));
    }

    private final MemDB db = TestSupport.prefilled(PREFILL);

    @Actor
    public void writer() {
      db.set(NEW_KEY, NEW_VALUE);
    }

    @Actor
    public void reader(IIII_Result r) {
      try {
        r.r1 = TestSupport.classify(db.get(FIRST_KEY), FIRST_VALUE);
        r.r2 = TestSupport.classify(db.get(LAST_KEY), LAST_VALUE);
        r.r3 = TestSupport.classify(db.get(NEW_KEY), NEW_VALUE);
      } catch (RuntimeException e) {
        r.r1 = -2;
      }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      r.r4 = moved(db, MOVED_BYTES, Arrays.equals(db.get(NEW_KEY), NEW_VALUE));
      db.close(); // blocks go back to the pool for the next samples
    }
  }

  /**
   * The insert that moves the node arena, then a same-length {@code set} of the last prefilled key
   * (1 KiB value, no stage: overwritten in place, inside a version window on its node in the NEW
   * block). A reader that found the key in the OLD block sees that node frozen, so its version
   * check passes while the bytes change under its copy: only the epoch check stops a torn value.
   * r1: the last key, read first (1 = old value, 2 = new value, -1 = torn or wrong, 0 = lost); r2:
   * the first key (1 = its value); r3: the new key (0 = absent, 1 = complete). The new key absent
   * after the overwrite was seen (r1 = 2, r3 = 0) is FORBIDDEN: the insert came first. -2 in r1 = an
   * exception.
   */
  @JCStressTest
  @Outcome(
      id = {"1, 1, 0, 1", "1, 1, 1, 1", "2, 1, 1, 1"},
      expect = ACCEPTABLE,
      desc = "moved; last key old or new, first key intact, new key absent or complete")
  @Outcome(
      id = {"1, 1, 0, 2", "1, 1, 1, 2", "2, 1, 1, 2"},
      expect = ACCEPTABLE_INTERESTING,
      desc = "moved; the reader retried and then answered right")
  @Outcome(
      id = {"1, 1, 0, 0", "1, 1, 1, 0", "2, 1, 1, 0"},
      expect = FORBIDDEN,
      desc = "NO MOVE: the node arena did not move, the test exercised nothing")
  @Outcome(expect = FORBIDDEN, desc = "a torn or lost value, the writes out of order, or an exception")
  @State
  public static class InsertThenOverwrite {
    static final int HOT_LENGTH = 1024;
    static final byte[] HOT_OLD = TestSupport.value('A', HOT_LENGTH);
    static final byte[] HOT_NEW = TestSupport.value('B', HOT_LENGTH);
    static final long MOVED_BYTES;

    static {
      MemDB probe = prefilled();
      MOVED_BYTES =
          movedBytes(
              probe,
              () -> {
                long before = probe.stats().values().bytesUsed();
                probe.set(NEW_KEY, NEW_VALUE);
                long inserted = probe.stats().values().bytesUsed();
                probe.set(LAST_KEY, HOT_NEW);
                if (probe.stats().values().bytesUsed() != inserted || inserted == before) {
                  throw new AssertionError("the second set should overwrite in place");
                }
              });
    }

    /** Keys 0..PREFILL-1 with 8-byte values, the last one with a 1 KiB value. */
    static MemDB prefilled() {
      MemDB db = MemDB.create(TestSupport.TINY);
      for (int i = 0; i < PREFILL - 1; i++) {
        db.set(TestSupport.key(i), TestSupport.value(i, VALUE_LENGTH));
      }
      db.set(LAST_KEY, HOT_OLD);
      return db;
    }

    private final MemDB db = prefilled();

    @Actor
    public void writer() {
      db.set(NEW_KEY, NEW_VALUE); // moves the node arena
      db.set(LAST_KEY, HOT_NEW); // in place, in the new block
    }

    @Actor
    public void reader(IIII_Result r) {
      try {
        byte[] hot = db.get(LAST_KEY);
        r.r1 = Arrays.equals(hot, HOT_OLD) ? 1 : TestSupport.classify(hot, HOT_NEW) == 1 ? 2 : -1;
        if (hot == null) {
          r.r1 = 0;
        }
        r.r2 = TestSupport.classify(db.get(FIRST_KEY), FIRST_VALUE);
        r.r3 = TestSupport.classify(db.get(NEW_KEY), NEW_VALUE);
      } catch (RuntimeException e) {
        r.r1 = -2;
      }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      r.r4 =
          moved(
              db,
              MOVED_BYTES,
              Arrays.equals(db.get(NEW_KEY), NEW_VALUE) && Arrays.equals(db.get(LAST_KEY), HOT_NEW));
      db.close(); // blocks go back to the pool for the next samples
    }
  }
}
