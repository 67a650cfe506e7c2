package dev.memdb;

import static dev.memdb.TestKeys.asInt;
import static dev.memdb.TestKeys.checkConsist;
import static dev.memdb.TestKeys.deriveAndFill;
import static dev.memdb.TestKeys.fill;
import static dev.memdb.TestKeys.golden;
import static dev.memdb.TestKeys.intKeys;
import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of client-go's memdb_test.go (reference §6.1), part 1: values, stages, iterators.
 */
class MemDBScenarioTest {
  private MemDB db;

  @BeforeEach
  void open() {
    db = MemDB.create();
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  private static List<Integer> reversed(int from, int to) {
    return range(from, to).reversed();
  }

  /** Asserts key i holds value(i) for every i in [from, to) via get. */
  private void assertValues(int from, int to, java.util.function.IntUnaryOperator value) {
    for (int i = from; i < to; i++) {
      assertEquals(value.applyAsInt(i), asInt(db.get(k(i))), "value of key " + i);
    }
  }

  /** Asserts full forward and reverse iteration yield keys [0, n) with value(i). */
  private void assertIteration(int n, java.util.function.IntUnaryOperator value) {
    TreeMap<byte[], byte[]> g = golden();
    for (int i = 0; i < n; i++) {
      g.put(k(i), k(value.applyAsInt(i)));
    }
    checkConsist(db, g);
  }

  @Test // TestGetSet
  void getSet() {
    fill(db, 10_000, 0);
    assertValues(0, 10_000, i -> i);
  }

  @Test // TestIterator
  void iterator() {
    fill(db, 10_000, 0);
    assertEquals(range(0, 10_000), intKeys(db.iterator(null, null)));
    assertEquals(reversed(0, 10_000), intKeys(db.descendingIterator(null, null)));
    assertEquals(range(0, 400), intKeys(db.iterator(null, k(400))));
    assertEquals(reversed(400, 10_000), intKeys(db.descendingIterator(k(400), null)));
    try (MemDBIterator it = db.iterator(null, null)) {
      while (it.valid()) {
        assertEquals(asInt(it.key()), asInt(it.value()));
        it.next();
      }
    }
  }

  @Test // TestDiscard
  void discard() {
    int cnt = 10_000;
    int a = deriveAndFill(db, 0, cnt, 0);
    long size = db.dataSize();
    int b = deriveAndFill(db, 0, cnt, 1);
    db.cleanup(b);
    assertEquals(cnt, db.keyCount());
    assertEquals(size, db.dataSize());
    assertValues(0, cnt, i -> i);
    assertIteration(cnt, i -> i);

    db.cleanup(a);
    for (int i = 0; i < cnt; i++) {
      assertNull(db.get(k(i)), "key " + i + " after full cleanup");
    }
    assertEquals(0, db.keyCount());
    assertEquals(0, db.dataSize());
    assertEquals(0, db.stagingDepth());
    try (MemDBIterator it = db.iterator(null, null)) {
      assertFalse(it.valid());
    }
    try (MemDBIterator it = db.descendingIterator(null, null)) {
      assertFalse(it.valid());
    }
    try (MemDBIterator it = db.iterator(new byte[] {(byte) 0xff}, null)) {
      assertFalse(it.valid());
    }
  }

  @Test // TestFlushOverwrite
  void flushOverwrite() {
    int cnt = 10_000;
    fill(db, cnt, 0);
    long size = db.dataSize();
    fill(db, cnt, 1);
    assertEquals(cnt, db.keyCount());
    assertEquals(size, db.dataSize());
    assertValues(0, cnt, i -> i + 1);
    assertIteration(cnt, i -> i + 1);
  }

  @Test // TestComplexUpdate
  void complexUpdate() {
    db.release(deriveAndFill(db, 0, 6000, 0));
    assertEquals(6000, db.keyCount());
    db.release(deriveAndFill(db, 3000, 9000, 1));
    assertEquals(9000, db.keyCount());
    assertValues(0, 9000, i -> i < 3000 ? i : i + 1);
    assertIteration(9000, i -> i < 3000 ? i : i + 1);
  }

  @Test // TestNestedSandbox
  void nestedSandbox() {
    int h0 = deriveAndFill(db, 0, 200, 0);
    int h1 = deriveAndFill(db, 0, 100, 1);
    int h2 = deriveAndFill(db, 50, 150, 2);
    int h3 = deriveAndFill(db, 100, 120, 3);
    int h4 = deriveAndFill(db, 0, 150, 4);
    assertEquals(List.of(1, 2, 3, 4, 5), List.of(h0, h1, h2, h3, h4));
    db.cleanup(h4);
    db.release(h3);
    db.cleanup(h2);
    db.release(h1);
    db.release(h0);
    assertEquals(0, db.stagingDepth());
    assertValues(0, 200, i -> i < 100 ? i + 1 : i);
    assertIteration(200, i -> i < 100 ? i + 1 : i);
  }

  @Test // TestOverwrite
  void overwrite() {
    int cnt = 10_000;
    fill(db, cnt, 0);
    long size = db.dataSize();
    for (int i = 0; i < cnt; i += 3) {
      db.set(k(i), k(i * 10));
    }
    assertEquals(cnt, db.keyCount());
    assertEquals(size, db.dataSize());
    assertValues(0, cnt, i -> i % 3 == 0 ? i * 10 : i);
    assertIteration(cnt, i -> i % 3 == 0 ? i * 10 : i);
  }

  @Test // TestReset
  void reset() {
    fill(db, 1000, 0);
    db.reset();
    assertNull(db.get(k(0)));
    assertNull(db.getFlags(k(0)));
    assertEquals(0, db.keyCount());
    assertEquals(0, db.dataSize());
    assertFalse(db.isDirty());
    assertEquals(0, db.memoryFootprint());
    try (MemDBIterator it = db.iterator(null, null)) {
      assertFalse(it.valid());
    }
    db.set(k(1), k(1)); // usable again
    assertEquals(1, asInt(db.get(k(1))));
  }

  /** Visits stage h and returns (key, value) as ints in visit order, asserting v-k per key. */
  private List<Integer> inspect(int h, java.util.function.IntUnaryOperator expectedDiff) {
    List<Integer> keys = new ArrayList<>();
    db.inspectStage(
        h,
        (key, flags, value) -> {
          int kk = asInt(key);
          assertNotNull(flags);
          assertEquals(expectedDiff.applyAsInt(kk), asInt(value) - kk, "value - key of " + kk);
          keys.add(kk);
        });
    return keys;
  }

  @Test // TestInspectStage
  void inspectStage() {
    int h1 = deriveAndFill(db, 0, 1000, 0);
    int h2 = deriveAndFill(db, 500, 1000, 1);
    for (int i = 500; i < 1500; i++) {
      byte[] v = new byte[5];
      System.arraycopy(k(i + 2), 0, v, 0, 4);
      db.set(k(i), v);
    }
    int h3 = deriveAndFill(db, 1000, 2000, 3);

    // newest first: each key once, in reverse write order
    assertEquals(reversed(1000, 2000), inspect(h3, kk -> 3));
    assertEquals(reversed(500, 2000), inspect(h2, kk -> kk < 1000 ? 2 : 3));

    db.cleanup(h3);
    db.release(h2);
    assertEquals(reversed(0, 1500), inspect(h1, kk -> kk < 500 ? 0 : 2));
  }

  @Test // TestKVGetSet
  void kvGetSet() {
    byte[] a = "0000000000".getBytes();
    byte[] b = "0000000002".getBytes();
    db.set(a, a);
    db.set(b, b);
    assertArrayEquals(a, db.get(a));
    assertArrayEquals(b, db.get(b));
    assertNull(db.get("0000000001".getBytes()));
  }

  @Test // TestNewIterator
  void newIterator() {
    try (MemDBIterator it = db.iterator(null, null)) {
      assertFalse(it.valid());
    }
    try (MemDBIterator it = db.descendingIterator(null, null)) {
      assertFalse(it.valid());
    }
    for (int i : new int[] {10, 20, 30}) {
      db.set(k(i), k(i));
    }
    try (MemDBIterator it = db.iterator(k(10), null)) {
      assertTrue(it.valid());
      assertEquals(10, asInt(it.key()));
      it.next();
      assertTrue(it.valid());
      assertEquals(20, asInt(it.key()));
      assertEquals(20, asInt(it.value()));
    }
    try (MemDBIterator it = db.iterator(k(31), null)) {
      assertFalse(it.valid(), "seek beyond the largest key");
    }
    try (MemDBIterator it = db.iterator(k(15), null)) {
      assertTrue(it.valid());
      assertEquals(20, asInt(it.key()), "seek between keys lands on the next larger");
    }
  }

  @Test // TestIterNextUntil
  void iterNextUntil() {
    fill(db, 100, 0);
    try (MemDBIterator it = db.iterator(null, null)) {
      int steps = 0;
      while (it.valid() && !neverTrue(it.key())) {
        it.next();
        steps++;
      }
      assertFalse(it.valid());
      assertEquals(100, steps);
      assertThrows(java.util.NoSuchElementException.class, it::next);
    }
  }

  private static boolean neverTrue(byte[] key) {
    return key.length > 100;
  }

  @Test // TestBasicNewIterator
  void basicNewIterator() {
    try (MemDBIterator it = db.iterator("2".getBytes(), null)) {
      assertFalse(it.valid());
    }
  }

  @Test // TestNewIteratorMin
  void newIteratorMin() {
    String p = "DATA_test_main_db_tbl_tbl_test_record__0000000000000000000";
    String[][] kvs = {
      {p + "1", "lock-version"},
      {p + "1_0002", "1"},
      {p + "1_0003", "hello"},
      {p + "2", "lock-version"},
      {p + "2_0002", "2"},
      {p + "2_0003", "hello"},
    };
    for (String[] kv : kvs) {
      db.set(kv[0].getBytes(), kv[1].getBytes());
    }
    assertEquals(6, TestKeys.drain(db.iterator(null, null)).size());
    try (MemDBIterator it = db.iterator((p + "0").getBytes(), null)) {
      assertTrue(it.valid());
      assertArrayEquals((p + "1").getBytes(), it.key());
      assertArrayEquals("lock-version".getBytes(), it.value());
    }
  }

  @Test // TestMemDBStaging
  void memDBStaging() {
    byte[] x = "x".getBytes();
    byte[] yz = "yz".getBytes();
    db.set(x, new byte[2]);
    int h1 = db.staging();
    db.set(x, new byte[3]);
    int h2 = db.staging();
    db.set(yz, new byte[1]);
    assertEquals(3, db.get(x).length);
    db.release(h2);
    assertEquals(1, db.get(yz).length);
    db.cleanup(h1);
    assertEquals(2, db.get(x).length);
    assertNull(db.get(yz));
    assertEquals(1, db.keyCount());
  }

  @Test // TestMemDBMultiLevelStaging
  void memDBMultiLevelStaging() {
    byte[] key = {0};
    for (int i = 0; i < 100; i++) {
      assertEquals(i + 1, db.staging());
      db.set(key, new byte[] {(byte) i});
    }
    for (int i = 99; i >= 0; i--) {
      if (i % 2 == 1) {
        db.cleanup(i + 1);
        assertArrayEquals(
            new byte[] {(byte) (i - 1)}, db.get(key), "after cleanup(" + (i + 1) + ")");
      } else {
        db.release(i + 1);
        assertArrayEquals(new byte[] {(byte) i}, db.get(key), "after release(" + (i + 1) + ")");
      }
      assertEquals(i, db.stagingDepth());
    }
  }

  @Test // TestInvalidStagingHandle
  void invalidStagingHandle() {
    db.release(0);
    db.cleanup(0);
    int h0 = db.staging();
    int h1 = db.staging();
    int h2 = db.staging();
    db.set(k(1), k(1));
    assertThrows(IllegalStateException.class, () -> db.release(h2 + 1));
    assertThrows(IllegalStateException.class, () -> db.release(h2 - 1));
    db.release(0);
    db.cleanup(h2 + 1);
    assertThrows(IllegalStateException.class, () -> db.cleanup(h2 - 1));
    db.cleanup(0);
    assertEquals(3, db.stagingDepth());
    assertEquals(1, asInt(db.get(k(1))));
    db.cleanup(h2);
    db.release(h1);
    db.cleanup(h0);
    assertEquals(0, db.stagingDepth());
    assertNull(db.get(k(1)));
  }

  @Test // TestMemDBCheckpoint
  void memDBCheckpoint() {
    byte[] x = "x".getBytes();
    byte[] y = "y".getBytes();
    byte[] z = "z".getBytes();
    Checkpoint cp1 = db.checkpoint();
    db.set(x, x);
    Checkpoint cp2 = db.checkpoint();
    db.set(y, y);
    int h = db.staging();
    db.set(z, z);
    db.release(h);
    for (byte[] key : new byte[][] {x, y, z}) {
      assertArrayEquals(key, db.get(key));
    }
    db.revertToCheckpoint(cp2);
    assertArrayEquals(x, db.get(x));
    assertNull(db.get(y));
    assertNull(db.get(z));
    assertEquals(1, db.keyCount());
    db.revertToCheckpoint(cp1);
    assertNull(db.get(x));
    assertEquals(0, db.keyCount());
    assertEquals(0, db.dataSize());
  }

  @Test // TestNewIterator with the random golden of checkConsist, small sanity of the helper
  void checkConsistOnEmptyAndSmall() {
    TreeMap<byte[], byte[]> g = golden();
    checkConsist(db, g);
    db.set(new byte[] {1}, new byte[] {2});
    db.delete(new byte[] {0});
    g.put(new byte[] {1}, new byte[] {2});
    g.put(new byte[] {0}, new byte[0]);
    checkConsist(db, g);
  }
}
