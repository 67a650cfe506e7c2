package dev.memdb;

import static dev.memdb.TestKeys.checkConsist;
import static dev.memdb.TestKeys.golden;
import static dev.memdb.TestKeys.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The randomized tests of client-go's memdb_norace_test.go (reference §6.2) against a TreeMap
 * golden model. Seeded: pass {@code -Dmemdb.seed=N} to replay; every failure names its seed.
 */
class MemDBRandomizedTest {

  interface SeededBody {
    void run(Random rnd) throws Exception;
  }

  /** Runs body with a seeded Random; any failure is rethrown with the seed in its message. */
  static void seeded(String test, SeededBody body) {
    String prop = System.getProperty("memdb.seed");
    long seed =
        prop != null && !prop.isBlank() ? Long.parseLong(prop.trim()) : new Random().nextLong();
    System.out.println(test + ": seed=" + seed + " (replay with -Dmemdb.seed=" + seed + ")");
    try {
      body.run(new Random(seed));
    } catch (Throwable t) {
      throw new AssertionError(test + " failed with seed=" + seed + ": " + t, t);
    }
  }

  private static byte[] randomBytes(Random rnd, int minLen, int maxLen) {
    byte[] b = new byte[minLen + rnd.nextInt(maxLen - minLen + 1)];
    rnd.nextBytes(b);
    return b;
  }

  private static byte[] be64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  @Test // TestRandom (RemoveFromBuffer replaced by delete = tombstone)
  void random() {
    seeded(
        "random",
        rnd -> {
          int cnt = 50_000;
          TreeMap<byte[], byte[]> g = golden();
          try (MemDB db = MemDB.create()) {
            for (int i = 0; i < cnt; i++) {
              byte[] key = randomBytes(rnd, 1, 19);
              db.set(key, key);
              g.put(key, key);
              if (i % 10_000 == 0) {
                TestKeys.checkTree(db);
              }
            }
            assertEquals(g.size(), db.keyCount());
            long size = 0;
            for (Map.Entry<byte[], byte[]> e : g.entrySet()) {
              size += e.getKey().length + e.getValue().length;
            }
            assertEquals(size, db.dataSize());

            List<byte[]> keys = new ArrayList<>(g.keySet());
            Collections.shuffle(keys, rnd);
            for (byte[] key : keys) {
              if (rnd.nextDouble() < 0.35) {
                db.delete(key);
                g.put(key, new byte[0]);
              } else {
                byte[] v = randomBytes(rnd, 1, 19);
                db.set(key, v);
                g.put(key, v);
              }
            }
            checkConsist(db, g);
          }
        });
  }

  /** One undo entry: the key and its golden value before the write (null = absent). */
  private record Undo(byte[] key, byte[] old) {}

  @Test // TestRandomDerive
  void randomDerive() {
    seeded(
        "randomDerive",
        rnd -> {
          TreeMap<byte[], byte[]> g = golden();
          try (MemDB db = MemDB.create()) {
            deriveRecur(db, g, rnd, 0);
            assertEquals(0, db.stagingDepth());
            checkConsist(db, g);
          }
        });
  }

  private static List<byte[]> deriveKeys(Random rnd) {
    List<byte[]> keys = new ArrayList<>();
    double op = rnd.nextDouble();
    if (op < 0.33) {
      int start = rnd.nextInt(512);
      int end = rnd.nextInt(512) + 512;
      for (int i = start; i < end; i++) {
        keys.add(be64(i));
      }
    } else if (op < 0.66) {
      int n = rnd.nextInt(512) + 512;
      for (int i = 0; i < n; i++) {
        keys.add(randomBytes(rnd, 1, 19));
      }
    } else {
      for (int i = 0; i < 512; i++) {
        keys.add(be64(i));
      }
    }
    return keys;
  }

  private static List<Undo> deriveRecur(
      MemDB db, TreeMap<byte[], byte[]> g, Random rnd, int depth) {
    List<byte[]> keys = deriveKeys(rnd);
    int h = db.staging();
    assertEquals(depth + 1, h, "stage handle");
    List<Undo> log = new ArrayList<>();
    for (byte[] key : keys) {
      byte[] v = randomBytes(rnd, 1, 255);
      db.set(key, v);
      log.add(new Undo(key, g.put(key, v)));
    }
    if (depth < 100) {
      log.addAll(deriveRecur(db, g, rnd, depth + 1));
    }
    if (depth > 0 && rnd.nextDouble() < 0.3) {
      db.cleanup(h);
      for (int i = log.size() - 1; i >= 0; i--) {
        Undo u = log.get(i);
        if (u.old() == null) {
          g.remove(u.key());
        } else {
          g.put(u.key(), u.old());
        }
      }
      log.clear();
    } else {
      db.release(h);
    }
    assertEquals(depth, db.stagingDepth());
    if (depth % 10 == 0) {
      checkConsist(db, g);
    }
    return log;
  }

  @Test // TestRandomAB, as a differential test of two block-size configurations
  void randomAB() {
    seeded(
        "randomAB",
        rnd -> {
          MemDBOptions small =
              MemDBOptions.builder().initialBlockSize(64).maxBlockSize(4096).build();
          try (MemDB a = MemDB.create();
              MemDB b = MemDB.create(small)) {
            int rounds = 50_000;
            for (int i = 0; i < rounds; i++) {
              int ha = a.staging();
              int hb = b.staging();
              assertEquals(ha, hb, "stage handles");
              int writes = 1 + rnd.nextInt(3);
              for (int w = 0; w < writes; w++) {
                byte[] key = randomBytes(rnd, 1, 3);
                int op = rnd.nextInt(10);
                if (op < 7) {
                  byte[] v = op == 0 ? randomBytes(rnd, 1, 40) : key;
                  a.set(key, v);
                  b.set(key, v);
                } else if (op < 8) {
                  a.delete(key);
                  b.delete(key);
                } else {
                  FlagsOp f = FlagsOp.values()[rnd.nextInt(FlagsOp.values().length)];
                  a.updateFlags(key, f);
                  b.updateFlags(key, f);
                }
              }
              if (i % 2 == 0) {
                a.cleanup(ha);
                b.cleanup(hb);
              } else {
                a.release(ha);
                b.release(hb);
              }
              if (i % 5000 == 0 || i == rounds - 1) {
                compare(a, b, randomBytes(rnd, 1, 3), "round " + i);
              }
            }
            assertEquals(TestKeys.capture(a).entries(), TestKeys.capture(b).entries());
          }
        });
  }

  private static void compare(MemDB a, MemDB b, byte[] probe, String where) {
    String at = where + ", probe " + hex(probe);
    assertEquals(a.isDirty(), b.isDirty(), "dirty " + at);
    assertEquals(a.keyCount(), b.keyCount(), "keyCount " + at);
    assertEquals(a.dataSize(), b.dataSize(), "dataSize " + at);
    assertArrayEquals(a.get(probe), b.get(probe), "get " + at);
    assertEquals(a.getFlags(probe), b.getFlags(probe), "getFlags " + at);
    assertSameIteration(a.iterator(probe, null), b.iterator(probe, null), "forward " + at);
    assertSameIteration(
        a.descendingIterator(probe, null), b.descendingIterator(probe, null), "reverse " + at);
    assertSameIteration(
        a.iteratorWithFlags(null, probe), b.iteratorWithFlags(null, probe), "withFlags " + at);
  }

  private static void assertSameIteration(MemDBIterator x, MemDBIterator y, String what) {
    try (x;
        y) {
      while (x.valid()) {
        assertEquals(true, y.valid(), what + ": second ended early");
        assertArrayEquals(x.key(), y.key(), what + " key");
        assertArrayEquals(x.value(), y.value(), what + " value of " + hex(x.key()));
        assertEquals(x.flags(), y.flags(), what + " flags of " + hex(x.key()));
        x.next();
        y.next();
      }
      assertFalse(y.valid(), what + ": second has more");
    }
  }
}
