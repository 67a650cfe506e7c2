package dev.memdb;

import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memdb.MemDBStats.ArenaStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Arena growth (reference §1.3) observed through {@link MemDB#stats()}. */
class ArenaGrowthTest {
  private static final int MIB = 1 << 20;
  private static final int RECORD_HEADER = 16;

  /** The §1.3 growth rule for requests no larger than the max block size. */
  private static final class ArenaModel {
    final long initial;
    final long max;
    long blockSize;
    final List<long[]> blocks = new ArrayList<>(); // {size, used}

    ArenaModel(long initial, long max) {
      this.initial = initial;
      this.max = max;
    }

    void alloc(long size) {
      assertTrue(size <= max, "model covers requests up to the max block size");
      if (!blocks.isEmpty()) {
        long[] last = blocks.getLast();
        if (last[1] + size <= last[0]) {
          last[1] += size;
          return;
        }
      }
      long s = blocks.isEmpty() ? initial : Math.min(blockSize * 2, max);
      while (s <= size && s < max) {
        s <<= 1;
      }
      s = Math.min(s, max);
      blockSize = s;
      blocks.add(new long[] {s, size});
    }

    ArenaStats stats() {
      long allocated = 0;
      long used = 0;
      long wasted = 0;
      for (int i = 0; i < blocks.size(); i++) {
        allocated += blocks.get(i)[0];
        used += blocks.get(i)[1];
        if (i < blocks.size() - 1) {
          wasted += blocks.get(i)[0] - blocks.get(i)[1];
        }
      }
      return new ArenaStats(blocks.size(), allocated, used, wasted);
    }
  }

  private static void assertConsistent(MemDB db) {
    MemDBStats s = db.stats();
    assertEquals(db.memoryFootprint(), s.memoryFootprint(), "footprint equals stats");
    assertEquals(db.keyCount(), s.keyCount());
    assertEquals(db.dataSize(), s.dataSize());
    assertEquals(db.stagingDepth(), s.stageDepth());
    for (ArenaStats a : List.of(s.nodes(), s.values())) {
      assertTrue(a.bytesUsed() + a.bytesWasted() <= a.bytesAllocated(), a.toString());
      assertTrue(a.bytesWasted() >= 0 && a.bytesUsed() >= 0, a.toString());
      assertEquals(a.blocks() == 0, a.bytesAllocated() == 0, a.toString());
    }
  }

  @Test // TestValueLargeThanBlock: 1, 4096, 3000-byte values -> 2 value blocks
  void valueLargerThanBlock() {
    try (MemDB db = MemDB.create()) {
      int[] sizes = {1, 4096, 3000};
      for (int i = 0; i < sizes.length; i++) {
        db.set(k(i), filled(sizes[i], i + 1));
      }
      ArenaStats v = db.stats().values();
      assertEquals(
          new ArenaStats(
              2, 4096 + 8192, 1 + 4096 + 3000 + 3 * RECORD_HEADER, 4096 - 1 - RECORD_HEADER),
          v);
      for (int i = 0; i < sizes.length; i++) {
        assertArrayEquals(filled(sizes[i], i + 1), db.get(k(i)));
      }
      assertConsistent(db);
    }
  }

  @Test // TestValueLargeThanBlock on one key inside stages (no in-place overwrite), then cleanup
  void sameKeyInStagesThenCleanupGivesBlocksBack() {
    try (MemDB db = MemDB.create()) {
      db.staging();
      db.set(k(1), filled(1, 1));
      db.staging();
      db.set(k(1), filled(4096, 2));
      int h3 = db.staging();
      db.set(k(1), filled(3000, 3));
      assertEquals(2, db.stats().values().blocks());
      assertArrayEquals(filled(3000, 3), db.get(k(1)));
      long before = db.memoryFootprint();
      db.cleanup(h3);
      assertEquals(
          new ArenaStats(2, 4096 + 8192, 1 + 4096 + 2 * RECORD_HEADER, 4096 - 1 - RECORD_HEADER),
          db.stats().values());
      db.cleanup(2);
      assertEquals(new ArenaStats(1, 4096, 1 + RECORD_HEADER, 0), db.stats().values());
      assertEquals(before - 8192, db.memoryFootprint());
      assertArrayEquals(filled(1, 1), db.get(k(1)));
      assertConsistent(db);
    }
  }

  @Test
  void valueLogGrowthFollowsTheModel() {
    MemDBOptions small = MemDBOptions.builder().initialBlockSize(64).maxBlockSize(1024).build();
    Random rnd = new Random(7);
    ArenaModel model = new ArenaModel(64, 1024);
    try (MemDB db = MemDB.create(small)) {
      for (int i = 0; i < 3000; i++) {
        int len = 1 + rnd.nextInt(300);
        db.set(k(i), filled(len, i));
        model.alloc(len + RECORD_HEADER);
        if (i % 97 == 0) {
          db.delete(k(i)); // a tombstone is a 16-byte record
          model.alloc(RECORD_HEADER);
        }
        if (i % 250 == 0) {
          assertEquals(model.stats(), db.stats().values(), "after " + (i + 1) + " values");
          assertConsistent(db);
        }
      }
      assertEquals(model.stats(), db.stats().values());
      assertEquals(1024, model.blocks.getLast()[0], "growth capped at the max block size");
      assertConsistent(db);
    }
  }

  @Test
  void nodeArenaIsOneBlockThatDoubles() {
    // Without preparation the node block moves in one go (BlockPreparationTest: spread over
    // writes).
    try (MemDB db = MemDB.create(MemDBOptions.builder().prepareAheadBytes(0).build())) {
      byte[] first = null;
      for (int i = 0; i < 50_000; i++) {
        db.set(k(i), k(i));
        ArenaStats n = db.stats().nodes();
        assertEquals(1, n.blocks(), "the node arena moves instead of adding blocks: " + n);
        assertEquals(
            Long.highestOneBit(n.bytesAllocated()),
            n.bytesAllocated(),
            "4 KiB, 8 KiB, 16 KiB, ...: " + n);
        assertTrue(n.bytesUsed() <= n.bytesAllocated(), n.toString());
        assertTrue(
            n.bytesAllocated() < 2 * n.bytesUsed() || n.bytesAllocated() == 4096, n.toString());
        if (i == 0) {
          first = db.get(k(0));
        }
      }
      assertTrue(
          db.stats().nodes().bytesAllocated() >= 50_000L * 40,
          "grew past many moves (4-byte keys: 40-byte nodes)");
      assertArrayEquals(first, db.get(k(0)), "addresses survive every move");
      for (int i = 0; i < 50_000; i += 997) {
        assertArrayEquals(k(i), db.get(k(i)));
      }
      assertConsistent(db);
    }
  }

  @Test // TestBigValue
  void bigValue() {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), filled(80 * MIB, 1));
      assertEquals(
          new ArenaStats(1, 128L * MIB, 80L * MIB + RECORD_HEADER, 0), db.stats().values());
      db.set(k(2), filled(127 * MIB, 2));
      ArenaStats v = db.stats().values();
      assertEquals(2, v.blocks());
      assertEquals(256L * MIB, v.bytesAllocated());
      assertEquals(48L * MIB - RECORD_HEADER, v.bytesWasted());

      byte[] huge = filled(128 * MIB + 1, 3); // larger than the max block: a block of its own
      db.set(k(3), huge);
      v = db.stats().values();
      assertEquals(3, v.blocks());
      assertTrue(v.bytesAllocated() >= 256L * MIB + huge.length + RECORD_HEADER, v.toString());
      assertArrayEquals(huge, db.get(k(3)));
      huge = null;
      assertArrayEquals(filled(80 * MIB, 1), db.get(k(1)));
      assertArrayEquals(filled(127 * MIB, 2), db.get(k(2)));
      assertConsistent(db);
      db.reset();
      assertEquals(0, db.memoryFootprint());
    }
  }

  @Test
  void resetAndDiscardGiveMemoryBack() {
    List<Long> reported = new ArrayList<>();
    MemDBOptions o = MemDBOptions.builder().memoryFootprintListener(reported::add).build();
    try (MemDB db = MemDB.create(o)) {
      assertEquals(0, db.memoryFootprint());
      assertTrue(reported.isEmpty(), "listener called before the first write");
      for (int i = 0; i < 10_000; i++) {
        db.set(k(i), filled(100, i));
      }
      assertTrue(db.memoryFootprint() > 10_000 * 100);
      assertEquals(db.memoryFootprint(), reported.getLast());
      db.reset();
      assertEquals(0, db.memoryFootprint());
      MemDBStats s = db.stats();
      assertEquals(0, s.nodes().blocks());
      assertEquals(0, s.values().blocks());
      assertEquals(0L, reported.getLast());

      for (int i = 0; i < 1000; i++) {
        db.set(k(i), filled(100, i));
      }
      long nodes = db.stats().nodes().bytesAllocated();
      db.discardValues();
      assertEquals(0, db.stats().values().blocks());
      assertEquals(nodes, db.memoryFootprint());
      assertEquals(nodes, reported.getLast());
      assertConsistent(db);
    }
  }

  @Test
  void cleanupAndRevertGiveGrownValueLogBack() {
    try (MemDB db = MemDB.create()) {
      for (int i = 0; i < 100; i++) {
        db.set(k(i), k(i));
      }
      MemDBStats before = db.stats();
      int h = db.staging();
      for (int i = 0; i < 100; i++) {
        db.set(k(i), filled(10_000, i)); // existing keys: only the value log grows
      }
      assertTrue(db.memoryFootprint() > before.memoryFootprint() + 1_000_000);
      db.cleanup(h);
      assertEquals(before.memoryFootprint(), db.memoryFootprint());
      assertEquals(before.values(), db.stats().values());
      assertEquals(before.nodes(), db.stats().nodes());

      Checkpoint cp = db.checkpoint();
      for (int i = 0; i < 100; i++) {
        db.set(k(i), filled(10_000, i));
      }
      db.revertToCheckpoint(cp);
      assertEquals(before.values(), db.stats().values());
      assertEquals(before.memoryFootprint(), db.memoryFootprint());
      for (int i = 0; i < 100; i++) {
        assertArrayEquals(k(i), db.get(k(i)));
      }
      assertConsistent(db);
    }
  }

  @Test
  void listenerSeesEveryFootprintChange() {
    List<Long> reported = new ArrayList<>();
    try (MemDB db =
        MemDB.create(MemDBOptions.builder().initialBlockSize(64).maxBlockSize(4096).build())) {
      db.setMemoryFootprintListener(reported::add);
      long last = db.memoryFootprint();
      Random rnd = new Random(3);
      for (int i = 0; i < 2000; i++) {
        int op = rnd.nextInt(20);
        if (op == 0) {
          db.staging();
        } else if (op == 1 && db.stagingDepth() > 0) {
          db.cleanup(db.stagingDepth());
        } else if (op == 2 && db.stagingDepth() > 0) {
          db.release(db.stagingDepth());
        } else {
          db.set(k(rnd.nextInt(500)), filled(1 + rnd.nextInt(200), i));
        }
        long now = db.memoryFootprint();
        if (now != last) {
          assertTrue(!reported.isEmpty(), "no report of a change to " + now);
          assertEquals(now, reported.getLast(), "last report after op " + i);
        }
        last = now;
      }
      int calls = reported.size();
      db.setMemoryFootprintListener(null);
      db.reset();
      assertEquals(calls, reported.size(), "removed listener still called");
    }
  }

  private static byte[] filled(int len, int seed) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i += 4096) {
      b[i] = (byte) (seed + i / 4096);
    }
    b[len - 1] = (byte) (seed * 31 + 7);
    return b;
  }
}
