package dev.memdb;

import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Iterators read entries ahead in passes; what they hand out must not depend on it. Entries read
 * ahead are not handed out after the buffer closed or the snapshot went stale, passes stop at large
 * values, and interleaved iterators on one thread do not share buffers.
 */
class IteratorReadAheadTest {

  @Test
  void nextAfterCloseFailsWithEntriesReadAhead() {
    MemDB db = MemDB.create();
    for (int i = 0; i < 1000; i++) {
      db.set(k(i), k(i));
    }
    MemDBIterator it = db.iterator(null, null);
    for (int i = 0; i < 20; i++) { // passes of 1 and 8, then 64: entries wait in the batch
      it.next();
    }
    assertArrayEquals(k(20), it.key());
    db.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
    assertEquals("MemDB is closed", e.getMessage());
  }

  @Test
  void nextOnAStaleSnapshotFailsWithEntriesReadAhead() {
    MemDB db = MemDB.create();
    for (int i = 0; i < 1000; i++) {
      db.set(k(i), k(i));
    }
    int stage = db.staging();
    Snapshot snap = db.snapshot();
    MemDBIterator it = snap.iterator(null, null);
    for (int i = 0; i < 20; i++) {
      it.next();
    }
    db.release(stage);
    assertThrows(StaleSnapshotException.class, it::next);
    db.close();
  }

  @Test
  void largeAndSmallValuesInBothDirections() {
    Random random = new Random(7);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (MemDB db = MemDB.create()) {
      for (int i = 0; i < 3000; i++) {
        // Mostly small values, some far above a pass's value budget, some tombstones.
        int length = i % 97 == 0 ? 40_000 + random.nextInt(30_000) : random.nextInt(300);
        byte[] value = new byte[length];
        random.nextBytes(value);
        byte[] key = k(random.nextInt(10_000));
        if (length == 0) {
          db.delete(key);
        } else {
          db.set(key, value);
        }
        model.put(key, value);
      }
      byte[] lower = k(2_000);
      byte[] upper = k(8_000);
      assertSame(model.subMap(lower, upper), db.iterator(lower, upper), true);
      assertSame(model.subMap(lower, upper), db.descendingIterator(lower, upper), false);
      assertSame(model, db.iterator(null, null), true);
      assertSame(model, db.descendingIterator(null, null), false);
    }
  }

  /**
   * A buffer filled in key order lays nodes and records out in iteration order, and a pass copies
   * such runs with one copy each. Runs must break where the layout does: at keys rolled back
   * (hidden nodes between adjacent ones), flag-only keys, tombstones, values rewritten later (their
   * record elsewhere), value-block ends, and spans larger than the batch's arrays (keys up to 700
   * bytes, values up to 5,000).
   */
  @Test
  void runsOfAdjacentEntriesBreakWhereTheLayoutDoes() {
    Random random = new Random(11);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    TreeMap<byte[], byte[]> withFlagOnly = new TreeMap<>(Arrays::compareUnsigned);
    MemDBOptions small =
        MemDBOptions.builder()
            .initialBlockSize(MemDBOptions.MIN_BLOCK_SIZE)
            .maxBlockSize(64 * 1024)
            .build();
    try (MemDB db = MemDB.create(small)) {
      List<byte[]> written = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        byte[] key = orderedKey(i, i % 50 == 0 ? 300 + random.nextInt(400) : random.nextInt(24));
        int kind = random.nextInt(20);
        if (kind == 0) {
          db.updateFlags(key, FlagsOp.SET_KEY_LOCKED); // flag-only: hidden from plain iterators
          withFlagOnly.put(key, null);
        } else if (kind == 1) {
          int stage = db.staging();
          db.set(key, new byte[] {1});
          db.cleanup(stage); // rolled back: the node stays, hidden
        } else {
          int length =
              kind == 2 ? 0 : i % 40 == 0 ? 2_000 + random.nextInt(3_000) : 1 + random.nextInt(64);
          byte[] value = new byte[length];
          random.nextBytes(value);
          if (length == 0) {
            db.delete(key); // a tombstone
          } else {
            db.set(key, value);
          }
          model.put(key, value);
          withFlagOnly.put(key, value);
          written.add(key);
        }
      }
      for (int i = 0; i < 100; i++) { // rewritten: a new record at the log's end
        byte[] key = written.get(random.nextInt(written.size()));
        byte[] value = new byte[1 + random.nextInt(64)];
        random.nextBytes(value);
        db.set(key, value);
        model.put(key, value);
        withFlagOnly.put(key, value);
      }
      assertSame(model, db.iterator(null, null), true);
      assertSame(model, db.descendingIterator(null, null), false);
      byte[] lower = orderedKey(500, 3);
      byte[] upper = orderedKey(1_500, 0);
      assertSame(model.subMap(lower, upper), db.iterator(lower, upper), true);
      try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
        for (Map.Entry<byte[], byte[]> e : withFlagOnly.entrySet()) {
          assertTrue(it.valid(), "iterator ended early");
          assertArrayEquals(e.getKey(), it.key());
          assertArrayEquals(e.getValue(), it.value());
          it.next();
        }
        assertFalse(it.valid(), "iterator yielded more keys than the model");
      }
    }
  }

  /** A key that sorts by {@code i}: its big-endian bytes, then {@code extra} filler bytes. */
  private static byte[] orderedKey(int i, int extra) {
    byte[] key = new byte[4 + extra];
    key[0] = (byte) (i >>> 24);
    key[1] = (byte) (i >>> 16);
    key[2] = (byte) (i >>> 8);
    key[3] = (byte) i;
    Arrays.fill(key, 4, key.length, (byte) 0x5A);
    return key;
  }

  @Test
  void interleavedIteratorsOnOneThread() {
    try (MemDB db = MemDB.create()) {
      for (int i = 0; i < 500; i++) {
        db.set(k(i), k(i * 3));
      }
      List<MemDBIterator> open = new ArrayList<>();
      for (int j = 0; j < 6; j++) { // only one pair of spare buffers is kept per buffer
        open.add(j % 2 == 0 ? db.iterator(k(j), null) : db.descendingIterator(null, k(500 - j)));
      }
      for (int step = 0; step < 200; step++) {
        for (int j = 0; j < open.size(); j++) {
          MemDBIterator it = open.get(j);
          int expected = j % 2 == 0 ? j + step : 499 - j - step;
          assertArrayEquals(k(expected), it.key(), "iterator " + j + " step " + step);
          assertArrayEquals(k(expected * 3), it.value());
          it.next();
        }
        if (step == 100) {
          open.get(0).close(); // its buffers go back and are reused by the next iterator
          open.set(0, db.iterator(k(101), null));
        }
      }
      open.forEach(MemDBIterator::close);
    }
  }

  private static void assertSame(
      Map<byte[], byte[]> expected, MemDBIterator it, boolean ascending) {
    List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>(expected.entrySet());
    if (!ascending) {
      entries = entries.reversed();
    }
    try (it) {
      byte[] small = new byte[8];
      for (Map.Entry<byte[], byte[]> e : entries) {
        assertTrue(it.valid(), "iterator ended early");
        assertArrayEquals(e.getKey(), it.key());
        assertArrayEquals(e.getValue(), it.value());
        // The copying accessors report the length and copy only what fits.
        assertEquals(e.getValue().length, it.value(small));
        it.next();
      }
      assertFalse(it.valid(), "iterator yielded more keys than the model");
    }
  }
}
