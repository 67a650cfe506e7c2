package dev.memdb;

import static dev.memdb.TestKeys.capture;
import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memdb.TestKeys.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every exception of API.md, each on a filled buffer (values, tombstones, flag-only keys, two open
 * stages), asserting the buffer's full contents are exactly unchanged afterwards.
 */
class MemDBExceptionTest {
  private MemDB db;

  @BeforeEach
  void fill() {
    db = MemDB.create();
    for (int i = 0; i < 50; i++) {
      db.set(k(i), k(i * 3));
    }
    db.delete(k(7));
    db.updateFlags(k(100), FlagsOp.SET_KEY_LOCKED);
    db.updateFlags(k(101), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
    db.set(k(5), k(55), FlagsOp.SET_ASSERT_EXIST);
    db.staging();
    db.set(k(1), new byte[] {1, 2, 3, 4, 5, 6});
    db.set(k(200), k(200), FlagsOp.SET_NEED_CONSTRAINT_CHECK_IN_PREWRITE);
    db.staging();
    db.set(k(2), k(22));
    db.delete(k(201));
    db.updateFlags(k(3), FlagsOp.SET_NEED_LOCKED);
    assertEquals(2, db.stagingDepth());
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** Asserts op throws type and leaves the buffer's observable state exactly as it was. */
  private <T extends Throwable> T assertUnchanged(Class<T> type, Executable op) {
    State before = capture(db);
    T t = assertThrows(type, op);
    assertEquals(before, capture(db), "buffer changed by a call that threw " + t);
    return t;
  }

  /** Asserts op completes (a documented no-op) and leaves the buffer exactly as it was. */
  private void assertNoOp(Executable op) throws Throwable {
    State before = capture(db);
    op.execute();
    assertEquals(before, capture(db), "documented no-op changed the buffer");
  }

  @Test
  void nullKeyIsNullPointerException() {
    byte[] v = k(1);
    List<Executable> ops =
        List.of(
            () -> db.set(null, v),
            () -> db.set(null, v, FlagsOp.SET_KEY_LOCKED),
            () -> db.delete(null),
            () -> db.delete(null, FlagsOp.SET_KEY_LOCKED),
            () -> db.updateFlags(null),
            () -> db.updateFlags(null, FlagsOp.SET_KEY_LOCKED),
            () -> db.get(null),
            () -> db.getFlags(null),
            () -> db.selectValueHistory(null, x -> true),
            () -> db.snapshot().get(null));
    for (Executable op : ops) {
      assertUnchanged(NullPointerException.class, op);
    }
  }

  @Test
  void nullOrEmptyValueIsIllegalArgument() {
    for (byte[] key : new byte[][] {k(1), k(7), k(100), k(999)}) {
      assertUnchanged(IllegalArgumentException.class, () -> db.set(key, null));
      assertUnchanged(IllegalArgumentException.class, () -> db.set(key, new byte[0]));
      assertUnchanged(
          IllegalArgumentException.class, () -> db.set(key, null, FlagsOp.SET_KEY_LOCKED));
      assertUnchanged(
          IllegalArgumentException.class, () -> db.set(key, new byte[0], FlagsOp.SET_KEY_LOCKED));
    }
  }

  @Test
  void keyTooLarge() {
    byte[] big = new byte[65_536];
    for (Executable op :
        List.<Executable>of(
            () -> db.set(big, k(1)),
            () -> db.set(big, k(1), FlagsOp.SET_KEY_LOCKED),
            () -> db.delete(big),
            () -> db.updateFlags(big),
            () -> db.updateFlags(big, FlagsOp.SET_KEY_LOCKED))) {
      assertEquals(65_536, assertUnchanged(KeyTooLargeException.class, op).keySize());
    }
    db.set(new byte[65_535], k(1)); // the largest key is fine
    assertArrayEquals(k(1), db.get(new byte[65_535]));
  }

  @Test
  void entryTooLarge() {
    db.setEntrySizeLimit(100, 0);
    EntryTooLargeException e =
        assertUnchanged(EntryTooLargeException.class, () -> db.set(k(1), new byte[97]));
    assertEquals(100, e.limit());
    assertEquals(101, e.size());
    assertUnchanged(EntryTooLargeException.class, () -> db.set(k(999), new byte[97]));
    assertUnchanged(
        EntryTooLargeException.class, () -> db.set(k(2), new byte[97], FlagsOp.SET_KEY_LOCKED));
    assertUnchanged(EntryTooLargeException.class, () -> db.delete(new byte[101]));
    // exactly at the limit is fine; updateFlags is not checked
    db.set(k(1), new byte[96]);
    db.delete(new byte[100]);
    db.updateFlags(new byte[300], FlagsOp.SET_KEY_LOCKED);
    assertNotNull(db.getFlags(new byte[300]));

    for (long unlimited : new long[] {0, Long.MAX_VALUE}) {
      db.setEntrySizeLimit(unlimited, unlimited);
      db.set(k(1), new byte[1 << 20]);
      assertEquals(1 << 20, db.get(k(1)).length);
    }
  }

  @Test
  void txnTooLarge() {
    long size = db.dataSize();
    db.setEntrySizeLimit(0, size + 10);
    TxnTooLargeException e =
        assertUnchanged(TxnTooLargeException.class, () -> db.set(k(999), new byte[7]));
    assertEquals(size + 10, e.limit());
    assertEquals(size + 11, e.size());
    assertUnchanged(TxnTooLargeException.class, () -> db.set(k(1), new byte[17])); // 6 -> 17
    assertUnchanged(TxnTooLargeException.class, () -> db.delete(new byte[11]));
    assertUnchanged(
        TxnTooLargeException.class, () -> db.set(k(100), new byte[11])); // flag-only: +11
    db.set(k(999), new byte[6]); // exactly at the limit
    assertEquals(size + 10, db.dataSize());
    db.delete(k(999)); // shrinking is always fine
    assertEquals(size + 4, db.dataSize());
  }

  @Test
  void releaseMisuseIsIllegalState() throws Throwable {
    assertUnchanged(IllegalStateException.class, () -> db.release(1));
    assertUnchanged(IllegalStateException.class, () -> db.release(3));
    assertUnchanged(IllegalStateException.class, () -> db.release(-1));
    assertNoOp(() -> db.release(0));
    db.cleanup(2);
    db.cleanup(1);
    assertUnchanged(IllegalStateException.class, () -> db.release(1));
  }

  @Test
  void cleanupMisuseIsIllegalState() throws Throwable {
    assertUnchanged(IllegalStateException.class, () -> db.cleanup(1));
    assertNoOp(() -> db.cleanup(0));
    assertNoOp(() -> db.cleanup(3));
    assertNoOp(() -> db.cleanup(100));
  }

  @Test
  void staleCheckpointsAreIllegalArgument() throws Throwable {
    // before the start of the innermost open stage
    db.release(2);
    Checkpoint beforeStage = db.checkpoint();
    db.set(k(299), k(299));
    db.staging();
    db.set(k(300), k(300));
    assertUnchanged(IllegalArgumentException.class, () -> db.revertToCheckpoint(beforeStage));

    // after the tail
    Checkpoint atStageStart = db.checkpoint(); // taken after the write: later moved past the tail
    int h = db.staging();
    db.set(k(301), new byte[40]);
    Checkpoint inner = db.checkpoint();
    db.cleanup(h);
    assertUnchanged(IllegalArgumentException.class, () -> db.revertToCheckpoint(inner));
    assertNoOp(() -> db.revertToCheckpoint(atStageStart)); // the tail itself: nothing to undo

    // from another MemDB
    try (MemDB other = MemDB.create()) {
      other.set(k(1), k(1));
      Checkpoint foreign = other.checkpoint();
      assertUnchanged(IllegalArgumentException.class, () -> db.revertToCheckpoint(foreign));
    }
  }

  @Test
  void checkpointFromBeforeResetIsIllegalArgument() {
    db.reset();
    db.set(k(1), k(1));
    Checkpoint old = db.checkpoint();
    db.reset();
    db.set(k(1), k(1));
    db.set(k(2), k(2)); // the old position lies inside the new log
    assertUnchanged(IllegalArgumentException.class, () -> db.revertToCheckpoint(old));
  }

  @Test
  void inspectStageBadHandleIsIllegalState() {
    List<byte[]> visited = new ArrayList<>();
    StageVisitor v = (key, flags, value) -> visited.add(key);
    for (int h : new int[] {0, -1, 3, 100}) {
      assertUnchanged(IllegalStateException.class, () -> db.inspectStage(h, v));
    }
    db.cleanup(2);
    db.cleanup(1);
    assertUnchanged(IllegalStateException.class, () -> db.inspectStage(1, v));
    assertTrue(visited.isEmpty(), "visitor called for a bad handle");
  }

  @Test
  void afterDiscardValues() {
    Map<String, KeyFlags> flagsBefore = new java.util.TreeMap<>();
    List<byte[]> keys = new ArrayList<>();
    try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
      for (; it.valid(); it.next()) {
        keys.add(it.key());
        flagsBefore.put(TestKeys.hex(it.key()), it.flags());
      }
    }
    Snapshot snap = db.snapshot();
    db.discardValues();
    assertFalse(snap.isValid());
    assertThrows(StaleSnapshotException.class, () -> snap.get(k(1)));

    State before = capture(db, false);
    for (Executable op :
        List.<Executable>of(
            () -> db.get(k(1)),
            () -> db.set(k(1), k(1)),
            () -> db.set(k(999), k(1), FlagsOp.SET_KEY_LOCKED),
            () -> db.delete(k(1)),
            () -> db.updateFlags(k(1), FlagsOp.SET_KEY_LOCKED),
            () -> db.updateFlags(k(999)))) {
      assertThrows(IllegalStateException.class, op);
      assertEquals(before, capture(db, false));
    }
    for (byte[] key : keys) {
      assertEquals(flagsBefore.get(TestKeys.hex(key)), db.getFlags(key), "flags kept");
    }
    List<String> after = new ArrayList<>();
    try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
      for (; it.valid(); it.next()) {
        after.add(TestKeys.hex(it.key()));
        assertEquals(flagsBefore.get(TestKeys.hex(it.key())), it.flags());
      }
    }
    assertEquals(new ArrayList<>(flagsBefore.keySet()), after, "keys kept, in order");
    assertNull(db.getFlags(k(999)));
  }

  @Test
  void everyMethodAfterCloseIsIllegalState() {
    Checkpoint cp = db.checkpoint();
    Snapshot snap = db.snapshot();
    MemDBIterator open = db.iterator(null, null);
    db.close();
    db.close(); // idempotent
    List<Executable> ops =
        List.of(
            () -> db.set(k(1), k(1)),
            () -> db.set(k(1), k(1), FlagsOp.SET_KEY_LOCKED),
            () -> db.delete(k(1)),
            () -> db.delete(k(1), FlagsOp.SET_KEY_LOCKED),
            () -> db.updateFlags(k(1)),
            () -> db.updateFlags(k(1), FlagsOp.SET_KEY_LOCKED),
            () -> db.get(k(1)),
            () -> db.getFlags(k(1)),
            () -> db.staging(),
            () -> db.release(2),
            () -> db.cleanup(2),
            () -> db.stagingDepth(),
            () -> db.checkpoint(),
            () -> db.revertToCheckpoint(cp),
            () -> db.iterator(null, null),
            () -> db.descendingIterator(null, null),
            () -> db.iteratorWithFlags(null, null),
            () -> db.descendingIteratorWithFlags(null, null),
            () -> db.snapshot(),
            () -> db.inspectStage(1, (key, flags, value) -> {}),
            () -> db.selectValueHistory(k(1), v -> true),
            () -> db.isDirty(),
            () -> db.keyCount(),
            () -> db.dataSize(),
            () -> db.memoryFootprint(),
            () -> db.stats(),
            () -> db.setEntrySizeLimit(0, 0),
            () -> db.setMemoryFootprintListener(x -> {}),
            () -> db.reset(),
            () -> db.discardValues());
    for (int i = 0; i < ops.size(); i++) {
      IllegalStateException e = assertThrows(IllegalStateException.class, ops.get(i), "op #" + i);
      assertEquals("MemDB is closed", e.getMessage(), "op #" + i);
    }
    assertThrows(
        IllegalStateException.class, open::next, "next() of an iterator opened before close");
    open.close();
    assertFalse(snap.isValid());
    assertThrows(StaleSnapshotException.class, () -> snap.get(k(1)));
    assertThrows(StaleSnapshotException.class, () -> snap.iterator(null, null));
    assertThrows(StaleSnapshotException.class, () -> snap.descendingIterator(null, null));
  }

  @Test
  void staleSnapshots() throws Throwable {
    // taken with stages open: valid until the outermost stage ends
    Snapshot s = db.snapshot();
    assertArrayEquals(k(3), s.get(k(1)), "as of the start of the outermost stage");
    assertNull(s.get(k(200)));
    db.release(2);
    assertTrue(s.isValid());
    Checkpoint cp = db.checkpoint();
    db.set(k(400), k(400));
    db.revertToCheckpoint(cp); // inside a stage: the snapshot survives
    assertTrue(s.isValid());
    assertArrayEquals(k(3), s.get(k(1)));
    assertNoOp(() -> db.release(0));
    db.release(1);
    assertFalse(s.isValid());
    State before = capture(db);
    assertThrows(StaleSnapshotException.class, () -> s.get(k(1)));
    assertThrows(StaleSnapshotException.class, () -> s.iterator(null, null));
    assertThrows(StaleSnapshotException.class, () -> s.descendingIterator(null, null));
    assertEquals(before, capture(db));

    // cleanup of the outermost stage
    db.staging();
    Snapshot c = db.snapshot();
    db.staging();
    db.cleanup(2);
    assertTrue(c.isValid());
    db.cleanup(1);
    assertFalse(c.isValid());
    assertThrows(StaleSnapshotException.class, () -> c.get(k(1)));

    // taken with no stage open: survives writes, dies on revertToCheckpoint and reset
    Snapshot n = db.snapshot();
    Checkpoint here = db.checkpoint();
    db.set(k(500), k(500));
    assertTrue(n.isValid());
    db.revertToCheckpoint(here);
    assertFalse(n.isValid());
    assertThrows(StaleSnapshotException.class, () -> n.get(k(1)));
    Snapshot r = db.snapshot();
    db.reset();
    assertFalse(r.isValid());
    assertThrows(StaleSnapshotException.class, () -> r.get(k(1)));
  }
}
