package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Key/value helpers, the golden-model consistency check and a full-state capture for the tests. */
final class TestKeys {
  private TestKeys() {}

  /** A 4-byte big-endian int, the key and value encoding of the Go tests. */
  static byte[] k(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  /** The first 4 bytes of {@code b} as a big-endian int. */
  static int asInt(byte[] b) {
    assertNotNull(b, "expected a value");
    assertTrue(b.length >= 4, () -> "value shorter than 4 bytes: " + hex(b));
    return ByteBuffer.wrap(b).getInt();
  }

  static String hex(byte[] b) {
    return b == null ? "null" : HexFormat.of().formatHex(b);
  }

  /** A golden model: a sorted map with unsigned lexicographic key order (goleveldb memdb). */
  static TreeMap<byte[], byte[]> golden() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** Go's fillDB: stage, set i→i+base for i in [0, n), release. */
  static void fill(MemDB db, int n, int base) {
    int h = db.staging();
    for (int i = 0; i < n; i++) {
      db.set(k(i), k(i + base));
    }
    db.release(h);
  }

  /** Go's deriveAndFill: open a stage, set i→i+base for i in [start, end); the stage stays open. */
  static int deriveAndFill(MemDB db, int start, int end, int base) {
    int h = db.staging();
    for (int i = start; i < end; i++) {
      db.set(k(i), k(i + base));
    }
    return h;
  }

  /** All (key, value) pairs of an iterator, in its order, closing it. */
  static List<byte[][]> drain(MemDBIterator it) {
    List<byte[][]> out = new ArrayList<>();
    try (it) {
      while (it.valid()) {
        out.add(new byte[][] {it.key(), it.value()});
        it.next();
      }
    }
    return out;
  }

  /** The int keys of an iterator, in its order, closing it. */
  static List<Integer> intKeys(MemDBIterator it) {
    List<Integer> out = new ArrayList<>();
    for (byte[][] kv : drain(it)) {
      out.add(asInt(kv[0]));
    }
    return out;
  }

  /**
   * Go's checkConsist: equal keyCount and dataSize; for every golden key in order: get equal, a
   * full forward iterator in lockstep, iterator(key, null) lands on key, descendingIterator(null,
   * key) lands on the previous golden key; then a full reverse iterator matches golden in reverse.
   */
  /** Checks the red-black invariants and the in-order links of a buffer's tree. */
  static void checkTree(MemDB db) {
    var lock = db.store().gate().writeLock();
    lock.lock();
    try {
      dev.memdb.internal.tree.RedBlackInvariants.check(db.store().tree());
    } finally {
      lock.unlock();
    }
  }

  static void checkConsist(MemDB db, TreeMap<byte[], byte[]> golden) {
    checkTree(db);
    assertEquals(golden.size(), db.keyCount(), "keyCount");
    long size = 0;
    for (Map.Entry<byte[], byte[]> e : golden.entrySet()) {
      size += e.getKey().length + e.getValue().length;
    }
    assertEquals(size, db.dataSize(), "dataSize");

    try (MemDBIterator it = db.iterator(null, null)) {
      for (Map.Entry<byte[], byte[]> e : golden.entrySet()) {
        byte[] key = e.getKey();
        assertArrayEquals(e.getValue(), db.get(key), () -> "get " + hex(key));
        assertTrue(it.valid(), () -> "forward iterator ended before " + hex(key));
        assertArrayEquals(key, it.key(), "forward iterator key");
        assertArrayEquals(e.getValue(), it.value(), () -> "forward iterator value of " + hex(key));
        it.next();

        try (MemDBIterator seek = db.iterator(key, null)) {
          assertTrue(seek.valid(), () -> "iterator(" + hex(key) + ", null) invalid");
          assertArrayEquals(key, seek.key(), "iterator(key, null) lands on key");
        }
        byte[] prev = golden.lowerKey(key);
        try (MemDBIterator seek = db.descendingIterator(null, key)) {
          if (prev == null) {
            assertFalse(
                seek.valid(), () -> "descendingIterator(null, " + hex(key) + ") should be empty");
          } else {
            assertTrue(seek.valid(), () -> "descendingIterator(null, " + hex(key) + ") invalid");
            assertArrayEquals(
                prev, seek.key(), "descendingIterator(null, key) lands on previous key");
          }
        }
      }
      assertFalse(it.valid(), "forward iterator has more keys than golden");
    }

    try (MemDBIterator it = db.descendingIterator(null, null)) {
      for (Map.Entry<byte[], byte[]> e : golden.descendingMap().entrySet()) {
        assertTrue(it.valid(), () -> "reverse iterator ended before " + hex(e.getKey()));
        assertArrayEquals(e.getKey(), it.key(), "reverse iterator key");
        assertArrayEquals(e.getValue(), it.value(), "reverse iterator value");
        it.next();
      }
      assertFalse(it.valid(), "reverse iterator has more keys than golden");
    }
  }

  /** Everything observable about a buffer, comparable with equals. */
  record State(
      List<String> entries,
      long keyCount,
      long dataSize,
      boolean dirty,
      int depth,
      long footprint) {}

  /** Captures every key with value and flags (via iteratorWithFlags) plus the counters. */
  static State capture(MemDB db) {
    return capture(db, true);
  }

  /** As {@link #capture(MemDB)}; with {@code values} false only keys and flags are read. */
  static State capture(MemDB db, boolean values) {
    List<String> entries = new ArrayList<>();
    try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
      while (it.valid()) {
        String e = hex(it.key()) + " flags=" + it.flags().bits();
        if (values) {
          e += " value=" + (it.hasValue() ? hex(it.value()) : "<none>");
          assertEquals(it.hasValue(), it.value() != null, "hasValue() agrees with value()");
        }
        entries.add(e);
        it.next();
      }
    }
    return new State(
        entries,
        db.keyCount(),
        db.dataSize(),
        db.isDirty(),
        db.stagingDepth(),
        db.memoryFootprint());
  }

  static void assertFlagsNull(MemDB db, byte[] key) {
    assertNull(db.getFlags(key), () -> "getFlags " + hex(key));
  }
}
