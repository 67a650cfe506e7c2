package dev.memdb;

import static dev.memdb.TestKeys.asInt;
import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of client-go's memdb_test.go (reference §6.1), part 2: flags, limits, snapshots.
 */
class MemDBScenarioFlagsSnapshotTest {
  private MemDB db;

  @BeforeEach
  void open() {
    db = MemDB.create();
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test // TestDirty
  void dirty() {
    try (MemDB d = MemDB.create()) {
      assertFalse(d.isDirty());
      d.set(k(1), k(1));
      assertTrue(d.isDirty(), "plain set");
    }
    try (MemDB d = MemDB.create()) {
      int h = d.staging();
      d.set(k(1), k(1));
      d.cleanup(h);
      assertFalse(d.isDirty(), "stage + set + cleanup");
    }
    try (MemDB d = MemDB.create()) {
      int h = d.staging();
      d.set(k(1), k(1));
      d.release(h);
      assertTrue(d.isDirty(), "stage + set + release");
    }
    try (MemDB d = MemDB.create()) {
      int h = d.staging();
      d.set(k(1), k(1), FlagsOp.SET_KEY_LOCKED);
      d.cleanup(h);
      assertTrue(d.isDirty(), "stage + set(KEY_LOCKED) + cleanup");
    }
    try (MemDB d = MemDB.create()) {
      int h = d.staging();
      d.set(k(1), k(1), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
      d.cleanup(h);
      assertFalse(d.isDirty(), "stage + set(PRESUME_KEY_NOT_EXISTS) + cleanup");
    }
  }

  @Test // TestFlags
  void flags() {
    int cnt = 10_000;
    int h = db.staging();
    for (int i = 0; i < cnt; i++) {
      if (i % 2 == 0) {
        db.set(k(i), k(i), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS, FlagsOp.SET_KEY_LOCKED);
      } else {
        db.set(k(i), k(i), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
      }
    }
    db.cleanup(h);
    for (int i = 0; i < cnt; i++) {
      assertNull(db.get(k(i)), "value of " + i);
      KeyFlags f = db.getFlags(k(i));
      if (i % 2 == 0) {
        assertNotNull(f, "flags of even key " + i);
        assertTrue(f.has(KeyFlag.KEY_LOCKED));
        assertFalse(f.hasPresumeKeyNotExists());
        assertFalse(f.has(KeyFlag.NEED_CHECK_EXISTS));
      } else {
        assertNull(f, "flags of odd key " + i);
      }
    }
    assertEquals(cnt / 2, db.keyCount());
    assertEquals(cnt / 2 * 4, db.dataSize());
    try (MemDBIterator it = db.iterator(null, null)) {
      assertFalse(it.valid(), "plain iterator skips flag-only keys");
    }
    try (MemDBIterator it = db.descendingIterator(null, null)) {
      assertFalse(it.valid(), "plain descending iterator skips flag-only keys");
    }
    List<Integer> forward = new ArrayList<>();
    try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
      for (; it.valid(); it.next()) {
        assertFalse(it.hasValue());
        assertNull(it.value());
        assertTrue(it.flags().has(KeyFlag.KEY_LOCKED));
        forward.add(asInt(it.key()));
      }
    }
    List<Integer> evens =
        java.util.stream.IntStream.range(0, cnt / 2).map(i -> i * 2).boxed().toList();
    assertEquals(evens, forward);
    List<Integer> backward = new ArrayList<>();
    try (MemDBIterator it = db.descendingIteratorWithFlags(null, null)) {
      for (; it.valid(); it.next()) {
        assertFalse(it.hasValue());
        backward.add(asInt(it.key()));
      }
    }
    assertEquals(evens.reversed(), backward);

    for (int i = 0; i < cnt; i++) {
      db.updateFlags(k(i), FlagsOp.DEL_KEY_LOCKED);
    }
    for (int i = 0; i < cnt; i++) {
      assertNull(db.get(k(i)));
      KeyFlags f = db.getFlags(k(i));
      assertNotNull(f, "updateFlags creates/revives key " + i);
      assertFalse(f.has(KeyFlag.KEY_LOCKED));
    }
    assertEquals(cnt, db.keyCount());
  }

  @Test // TestBufferLimit (memdb decision: TxnTooLarge is thrown before applying)
  void bufferLimit() {
    db.setEntrySizeLimit(500, 1000);
    assertThrows(EntryTooLargeException.class, () -> db.set("x".getBytes(), new byte[500]));
    db.set("x".getBytes(), new byte[499]);
    assertThrows(EntryTooLargeException.class, () -> db.set("yz".getBytes(), new byte[499]));
    assertNull(db.get("yz".getBytes()));
    db.delete(new byte[499]);
    assertEquals(999, db.dataSize());
    byte[] big = new byte[500];
    Arrays.fill(big, (byte) 1);
    TxnTooLargeException e = assertThrows(TxnTooLargeException.class, () -> db.delete(big));
    assertEquals(1000, e.limit());
    assertEquals(1499, e.size());
    assertNull(db.get(big), "rejected delete must not be applied");
    assertNull(db.getFlags(big));
    assertEquals(999, db.dataSize());
    assertEquals(2, db.keyCount());
  }

  @Test // TestUnsetTemporaryFlag
  void unsetTemporaryFlag() {
    byte[] key = k(1);
    db.set(key, key, FlagsOp.SET_NEED_CONSTRAINT_CHECK_IN_PREWRITE);
    assertTrue(db.getFlags(key).has(KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE));
    db.set(key, key);
    assertFalse(db.getFlags(key).has(KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE));
    // a flags-only update applies only its own ops: the flag survives
    db.updateFlags(key, FlagsOp.SET_NEED_CONSTRAINT_CHECK_IN_PREWRITE);
    db.updateFlags(key, FlagsOp.SET_READABLE);
    assertTrue(db.getFlags(key).has(KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE));
    db.delete(key);
    assertFalse(
        db.getFlags(key).has(KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE), "delete clears it too");
  }

  private static void assertSnapshotReads(Snapshot s, int expected, String what) {
    assertArrayEquals(new byte[] {(byte) expected}, s.get(new byte[] {0}), what + " get {0}");
    assertArrayEquals(new byte[] {(byte) expected}, s.get(new byte[] {1}), what + " get {1}");
    try (MemDBIterator it = s.iterator(null, null)) {
      for (int key = 0; key < 2; key++, it.next()) {
        assertTrue(it.valid(), what + " iterator");
        assertArrayEquals(new byte[] {(byte) key}, it.key());
        assertArrayEquals(new byte[] {(byte) expected}, it.value(), what + " iterator value");
      }
      assertFalse(it.valid());
    }
    try (MemDBIterator it = s.descendingIterator(null, null)) {
      for (int key = 1; key >= 0; key--, it.next()) {
        assertTrue(it.valid(), what + " descending iterator");
        assertArrayEquals(new byte[] {(byte) key}, it.key());
        assertArrayEquals(new byte[] {(byte) expected}, it.value(), what + " descending value");
      }
      assertFalse(it.valid());
    }
  }

  @Test // TestSnapshotGetIter
  void snapshotGetIter() {
    List<Snapshot> snaps = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      db.set(new byte[] {0}, new byte[] {(byte) i});
      db.set(new byte[] {1}, new byte[] {(byte) i});
      if (i == 50) {
        db.staging();
      }
      Snapshot s = db.snapshot();
      assertSnapshotReads(s, Math.min(i, 50), "round " + i);
      snaps.add(s);
    }
    // same-length overwrites before the stage were in place: every snapshot now reads 50
    for (int i = 0; i < snaps.size(); i++) {
      assertTrue(snaps.get(i).isValid());
      assertSnapshotReads(snaps.get(i), 50, "snapshot of round " + i + " at the end");
    }

    db.reset();
    for (Snapshot s : snaps) {
      assertFalse(s.isValid());
      assertThrows(StaleSnapshotException.class, () -> s.get(new byte[] {0}));
    }
    db.updateFlags(new byte[] {(byte) 255});
    for (int i = 2; i < 100; i += 2) {
      db.set(new byte[] {(byte) i}, new byte[] {(byte) i});
    }
    db.staging();
    for (int i = 0; i < 100; i++) {
      db.set(new byte[] {(byte) i}, new byte[] {(byte) (2 * i)});
    }
    Snapshot s = db.snapshot();
    assertArrayEquals(new byte[] {2}, s.get(new byte[] {2}));
    assertNull(s.get(new byte[] {1}));
    assertNull(s.get(new byte[] {(byte) 254}));
    assertNull(s.get(new byte[] {(byte) 255}), "flag-only key has no snapshot value");
    try (MemDBIterator it = s.iterator(null, null)) {
      for (int i = 2; i < 100; i += 2, it.next()) {
        assertTrue(it.valid());
        assertArrayEquals(new byte[] {(byte) i}, it.key());
        assertArrayEquals(new byte[] {(byte) i}, it.value());
      }
      assertFalse(it.valid());
    }
    try (MemDBIterator it = s.descendingIterator(null, null)) {
      for (int i = 98; i >= 2; i -= 2, it.next()) {
        assertTrue(it.valid());
        assertArrayEquals(new byte[] {(byte) i}, it.key());
        assertArrayEquals(new byte[] {(byte) i}, it.value());
      }
      assertFalse(it.valid());
    }
  }

  @Test // TestCleanupKeepPersistentFlag
  void cleanupKeepPersistentFlag() {
    byte[] k1 = {1};
    byte[] k2 = {2};
    byte[] k3 = {3};
    int h = db.staging();
    db.set(k1, new byte[] {1}, FlagsOp.SET_KEY_LOCKED);
    db.set(k2, new byte[] {2}, FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
    db.set(k3, new byte[] {3}, FlagsOp.SET_KEY_LOCKED, FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
    db.cleanup(h);
    for (byte[] key : new byte[][] {k1, k2, k3}) {
      assertNull(db.get(key));
    }
    assertTrue(db.getFlags(k1).has(KeyFlag.KEY_LOCKED));
    assertNull(db.getFlags(k2));
    assertTrue(db.getFlags(k3).has(KeyFlag.KEY_LOCKED));
    assertFalse(db.getFlags(k3).hasPresumeKeyNotExists());
    assertEquals(2, db.keyCount());
  }

  @Test // TestIterNoResult
  void iterNoResult() {
    db.set(new byte[] {1, 1}, new byte[] {1, 1});
    byte[][][] ranges = {
      {{1, 1}, {1, 1}},
      {{1, 0, 0}, {1, 0, 1}},
      {{1, 0, 1}, {1, 0, 0}},
    };
    for (byte[][] r : ranges) {
      for (MemDBIterator it :
          List.of(
              db.iterator(r[0], r[1]),
              db.descendingIterator(r[0], r[1]),
              db.iteratorWithFlags(r[0], r[1]),
              db.descendingIteratorWithFlags(r[0], r[1]))) {
        assertFalse(it.valid(), () -> "range " + TestKeys.hex(r[0]) + ".." + TestKeys.hex(r[1]));
        it.close();
      }
    }
    // memdb decision: an empty, non-null bound is a real bound (the empty key)
    try (MemDBIterator it = db.iterator(null, new byte[0])) {
      assertFalse(it.valid());
    }
    try (MemDBIterator it = db.descendingIterator(null, new byte[0])) {
      assertFalse(it.valid());
    }
    try (MemDBIterator it = db.iterator(new byte[0], null)) {
      assertTrue(it.valid(), "empty lower bound includes every key");
    }
  }

  @Test // TestMemDBLeafFragmentation
  void memDBLeafFragmentation() {
    long first = -1;
    for (int round = 0; round < 10; round++) {
      int h = db.staging();
      for (int k = 0; k < 100; k++) {
        db.set(String.valueOf(k).repeat(256).getBytes(), "value".getBytes());
      }
      long cur = db.memoryFootprint();
      if (round == 0) {
        first = cur;
      } else {
        assertTrue(cur <= first, "round " + round + " footprint " + cur + " > first " + first);
      }
      db.cleanup(h);
    }
  }

  @Test // TestReadOnlyZeroMem
  void readOnlyZeroMem() {
    assertEquals(0, db.memoryFootprint());
    assertNull(db.get(k(1)));
    assertNull(db.getFlags(k(1)));
    db.iterator(null, null).close();
    db.snapshot().get(k(1));
    assertEquals(0, db.memoryFootprint());
    assertEquals(0, db.stats().memoryFootprint());
  }

  @Test // TestKeyValueOversize
  void keyValueOversize() {
    byte[] key = new byte[65_535];
    byte[] value = new byte[65_536];
    value[65_535] = 7;
    db.set(key, value);
    assertArrayEquals(value, db.get(key));
    KeyTooLargeException e =
        assertThrows(KeyTooLargeException.class, () -> db.set(new byte[65_536], value));
    assertEquals(65_536, e.keySize());
    assertEquals(1, db.keyCount());
  }

  @Test // TestSetMemoryFootprintChangeHook
  void setMemoryFootprintChangeHook() {
    AtomicLong reported = new AtomicLong(-1);
    db.setMemoryFootprintListener(reported::set);
    assertEquals(-1, reported.get(), "listener called before any write");
    db.set(k(1), k(1));
    assertNotEquals(0, reported.get());
    assertNotEquals(-1, reported.get());
    assertEquals(db.memoryFootprint(), reported.get());
  }

  @Test // TestSelectValueHistory
  void selectValueHistory() {
    byte[] key = {1};
    db.set(key, new byte[] {1});
    int h = db.staging();
    db.set(key, new byte[] {1, 1});
    assertArrayEquals(
        new byte[] {1}, db.selectValueHistory(key, v -> Arrays.equals(v, new byte[] {1})));
    assertArrayEquals(
        new byte[] {1, 1}, db.selectValueHistory(key, v -> Arrays.equals(v, new byte[] {1, 1})));
    assertNull(db.selectValueHistory(key, v -> Arrays.equals(v, new byte[] {1, 1, 1})));
    assertNull(db.selectValueHistory(new byte[] {2}, v -> true), "absent key");
    db.cleanup(h);
    assertArrayEquals(
        new byte[] {1}, db.selectValueHistory(key, v -> Arrays.equals(v, new byte[] {1})));
    assertNull(db.selectValueHistory(key, v -> Arrays.equals(v, new byte[] {1, 1})));
  }

  @Test // TestSnapshotReaderWithWrite
  void snapshotReaderWithWrite() {
    for (int num : new int[] {4, 16, 48}) {
      try (MemDB d = MemDB.create()) {
        for (int i = 0; i < num; i++) {
          d.set(new byte[] {0, (byte) i}, new byte[] {0, (byte) i});
        }
        d.staging();
        Snapshot s = d.snapshot();
        try (MemDBIterator it = s.iterator(new byte[] {0, 0}, new byte[] {0, (byte) 255})) {
          d.set(new byte[] {0, (byte) num}, new byte[] {0, (byte) num});
          for (int i = 0; i < 256; i++) {
            d.set(new byte[] {1, (byte) i}, new byte[] {1, (byte) i});
          }
          for (int i = 0; i < num; i++, it.next()) {
            assertTrue(it.valid(), "num " + num + " key " + i);
            assertArrayEquals(new byte[] {0, (byte) i}, it.key());
            assertArrayEquals(new byte[] {0, (byte) i}, it.value());
          }
          assertFalse(it.valid(), "num " + num + ": key written after the snapshot");
        }
      }
    }
  }
}
