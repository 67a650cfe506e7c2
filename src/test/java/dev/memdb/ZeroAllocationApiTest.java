package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free read and write forms: into a caller's buffer, keys and values as segments.
 */
class ZeroAllocationApiTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void getIntoArrayCopiesWhenItFitsAndAlwaysTellsTheLength() {
    try (MemDB db = MemDB.create()) {
      db.set(b("k"), b("value"));
      db.delete(b("gone"));
      db.updateFlags(b("flags-only"), FlagsOp.SET_KEY_LOCKED);
      byte[] big = new byte[16];
      assertEquals(5, db.get(b("k"), big));
      assertEquals("value", new String(big, 0, 5, StandardCharsets.UTF_8));
      byte[] small = new byte[2];
      assertEquals(5, db.get(b("k"), small));
      assertArrayEquals(new byte[2], small, "nothing copied into a buffer that is too small");
      assertEquals(0, db.get(b("gone"), big), "a tombstone has length 0");
      assertEquals(-1, db.get(b("flags-only"), big));
      assertEquals(-1, db.get(b("absent"), big));
    }
  }

  @Test
  void segmentFormsMatchTheArrayForms() {
    try (MemDB db = MemDB.create();
        Arena arena = Arena.ofConfined()) {
      MemorySegment key = arena.allocateFrom(ValueLayout.JAVA_BYTE, b("seg-key"));
      MemorySegment value = arena.allocateFrom(ValueLayout.JAVA_BYTE, b("seg-value"));
      db.set(key, value, FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
      assertArrayEquals(b("seg-value"), db.get(b("seg-key")));
      MemorySegment dst = arena.allocate(64);
      assertEquals(9, db.get(key, dst));
      assertArrayEquals(b("seg-value"), dst.asSlice(0, 9).toArray(ValueLayout.JAVA_BYTE));
      assertTrue(db.getFlags(b("seg-key")).has(KeyFlag.PRESUME_KEY_NOT_EXISTS));
      assertEquals(-1, db.get(MemorySegment.ofArray(b("nope")), dst));
      assertNull(db.getFlags(b("nope")));
    }
  }

  @Test
  void segmentFormsRejectBadInputLeavingTheBufferAlone() {
    try (MemDB db = MemDB.create()) {
      db.set(b("a"), b("1"));
      long size = db.dataSize();
      assertThrows(
          IllegalArgumentException.class,
          () -> db.set(MemorySegment.ofArray(b("a")), MemorySegment.ofArray(new byte[0])));
      assertThrows(
          KeyTooLargeException.class,
          () -> db.set(MemorySegment.ofArray(new byte[65_536]), MemorySegment.ofArray(b("v"))));
      assertThrows(NullPointerException.class, () -> db.get(b("a"), (byte[]) null));
      assertEquals(size, db.dataSize());
      assertEquals(1, db.keyCount());
      assertArrayEquals(b("1"), db.get(b("a")));
    }
  }

  @Test
  void iteratorCopiesIntoCallerArrays() {
    try (MemDB db = MemDB.create()) {
      db.set(b("a"), b("alpha"));
      db.delete(b("b"));
      db.updateFlags(b("c"), FlagsOp.SET_KEY_LOCKED);
      byte[] k = new byte[8];
      byte[] v = new byte[8];
      try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
        assertEquals(1, it.key(k));
        assertEquals('a', k[0]);
        assertEquals(5, it.value(v));
        assertEquals("alpha", new String(v, 0, 5, StandardCharsets.UTF_8));
        assertEquals(5, it.value(new byte[2]), "too small: length only");
        it.next();
        assertEquals(0, it.value(v), "tombstone");
        it.next();
        assertEquals(-1, it.value(v), "flag-only");
        it.next();
        assertFalse(it.valid());
        assertThrows(java.util.NoSuchElementException.class, () -> it.key(k));
      }
    }
  }

  @Test
  void getIntoAfterCloseAndDiscardFails() {
    MemDB db = MemDB.create();
    db.set(b("a"), b("1"));
    db.discardValues();
    assertThrows(IllegalStateException.class, () -> db.get(b("a"), new byte[4]));
    db.close();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> db.get(MemorySegment.ofArray(b("a")), MemorySegment.ofArray(new byte[4])));
    assertEquals("MemDB is closed", e.getMessage());
  }
}
