package dev.memdb;

import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** memdb's own decisions (API.md "Decisions") that no Go scenario pins down. */
class MemDBDecisionsTest {
  private MemDB db;

  @BeforeEach
  void open() {
    db = MemDB.create();
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void emptyBoundIsARealBoundInEveryIterator() {
    db.set(k(1), k(1));
    db.updateFlags(k(2), FlagsOp.SET_KEY_LOCKED);
    byte[] empty = new byte[0];
    Snapshot s = db.snapshot();
    List<Supplier<MemDBIterator>> emptyUpper =
        List.of(
            () -> db.iterator(null, empty),
            () -> db.descendingIterator(null, empty),
            () -> db.iteratorWithFlags(null, empty),
            () -> db.descendingIteratorWithFlags(null, empty),
            () -> s.iterator(null, empty),
            () -> s.descendingIterator(null, empty));
    for (int i = 0; i < emptyUpper.size(); i++) {
      try (MemDBIterator it = emptyUpper.get(i).get()) {
        assertFalse(it.valid(), "iterator #" + i + " with upper = byte[0] must be empty");
      }
    }
    try (MemDBIterator it = db.descendingIteratorWithFlags(empty, null)) {
      assertArrayEquals(k(2), it.key(), "lower = byte[0] includes every key");
    }
    try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
      assertArrayEquals(k(1), it.key(), "null = unbounded");
    }
  }

  @Test
  void invalidIteratorThrowsNoSuchElement() {
    db.set(k(1), k(1));
    MemDBIterator exhausted = db.iterator(null, null);
    exhausted.next();
    MemDBIterator empty = db.iterator(k(5), null);
    MemDBIterator closed = db.iteratorWithFlags(null, null);
    assertTrue(closed.valid());
    closed.close();
    closed.close(); // idempotent
    for (MemDBIterator it : List.of(exhausted, empty, closed)) {
      assertFalse(it.valid());
      assertThrows(NoSuchElementException.class, it::next);
      assertThrows(NoSuchElementException.class, it::key);
      assertThrows(NoSuchElementException.class, it::value);
      assertThrows(NoSuchElementException.class, it::flags);
      assertThrows(NoSuchElementException.class, it::hasValue);
      it.close();
    }
  }

  @Test
  void flagOnlyKeyCountedOnce() {
    db.updateFlags(k(1));
    db.updateFlags(k(1));
    assertEquals(1, db.keyCount());
    assertEquals(4, db.dataSize(), "a flag-only key contributes its key length");
    db.updateFlags(k(1), FlagsOp.SET_KEY_LOCKED);
    db.updateFlags(k(1), FlagsOp.DEL_KEY_LOCKED);
    db.updateFlags(k(1));
    assertEquals(1, db.keyCount());
    db.set(k(1), k(7));
    assertEquals(1, db.keyCount());
    assertEquals(8, db.dataSize());
    db.delete(k(1));
    assertEquals(1, db.keyCount(), "a tombstone is a live key");
    assertEquals(4, db.dataSize());
    assertArrayEquals(new byte[0], db.get(k(1)));
  }

  @Test
  void tombstonesAndFlagOnlyKeysInIterators() {
    db.set(k(1), k(1));
    db.delete(k(2), FlagsOp.SET_KEY_LOCKED);
    db.updateFlags(k(3), FlagsOp.SET_NEED_LOCKED);
    try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
      assertArrayEquals(k(1), it.key());
      it.next();
      assertArrayEquals(k(2), it.key());
      assertTrue(it.hasValue());
      assertArrayEquals(new byte[0], it.value());
      assertTrue(it.flags().has(KeyFlag.KEY_LOCKED));
      it.next();
      assertArrayEquals(k(3), it.key());
      assertFalse(it.hasValue());
      assertNull(it.value());
      assertTrue(it.flags().has(KeyFlag.NEED_LOCKED));
      it.next();
      assertFalse(it.valid());
    }
    assertEquals(List.of(2, 1), TestKeys.intKeys(db.descendingIterator(null, null)));
    assertEquals(KeyFlags.of(KeyFlag.NEED_LOCKED.mask()), db.getFlags(k(3)));
  }

  @Test
  void sameLengthOverwriteInPlaceOnlyWhereAllowed() {
    byte[] key = k(1);
    db.set(key, k(10));
    db.set(key, k(11)); // no stage: in place, history lost
    assertNull(db.selectValueHistory(key, v -> Arrays.equals(v, k(10))));
    long used = db.stats().values().bytesUsed();

    int h1 = db.staging();
    db.set(key, k(12)); // current record is older than stage 1: new record
    assertArrayEquals(k(11), db.selectValueHistory(key, v -> Arrays.equals(v, k(11))));
    assertEquals(used + 20, db.stats().values().bytesUsed());
    db.set(key, k(13)); // written in the innermost stage: in place
    assertNull(db.selectValueHistory(key, v -> Arrays.equals(v, k(12))));
    assertEquals(used + 20, db.stats().values().bytesUsed());

    int h2 = db.staging();
    db.set(key, k(14)); // record of stage 1, not the innermost: new record
    assertArrayEquals(k(13), db.selectValueHistory(key, v -> Arrays.equals(v, k(13))));
    assertEquals(used + 40, db.stats().values().bytesUsed());
    db.cleanup(h2);
    assertArrayEquals(k(13), db.get(key));
    db.cleanup(h1);
    assertArrayEquals(k(11), db.get(key));

    long before = db.stats().values().bytesUsed();
    db.delete(key);
    db.delete(key); // a tombstone is never overwritten in place: a 16-byte record each
    assertEquals(before + 32, db.stats().values().bytesUsed());
    assertArrayEquals(new byte[0], db.get(key));
  }

  @Test
  void snapshotWithoutStageIsAsOfThatMoment() {
    db.set(k(1), k(1));
    db.set(k(2), k(2));
    Snapshot s = db.snapshot();
    db.set(k(3), k(3)); // new key: not in the snapshot
    db.set(k(1), new byte[] {9}); // different length: a new record, snapshot keeps the old
    db.delete(k(2));
    db.set(k(2), k(22)); // tombstone then same length as before: new records
    assertTrue(s.isValid());
    assertArrayEquals(k(1), s.get(k(1)));
    assertArrayEquals(k(2), s.get(k(2)));
    assertNull(s.get(k(3)));
    assertEquals(List.of(1, 2), TestKeys.intKeys(s.iterator(null, null)));
    assertEquals(List.of(2, 1), TestKeys.intKeys(s.descendingIterator(null, null)));
    assertArrayEquals(new byte[] {9}, db.get(k(1)));
  }

  @Test
  void snapshotInsideStagesIsAsOfOutermostStart() {
    db.set(k(1), k(1));
    db.staging();
    db.set(k(1), k(100));
    db.set(k(2), k(2));
    db.staging();
    db.set(k(1), k(200));
    Snapshot s = db.snapshot();
    assertArrayEquals(k(1), s.get(k(1)));
    assertNull(s.get(k(2)));
    db.set(k(3), k(3));
    db.release(2);
    assertTrue(s.isValid(), "an inner stage ending keeps the snapshot");
    assertEquals(List.of(1), TestKeys.intKeys(s.iterator(null, null)));
    db.release(1);
    assertFalse(s.isValid());
    assertThrows(StaleSnapshotException.class, () -> s.get(k(1)));
  }
}
