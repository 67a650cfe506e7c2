package dev.memdb;

import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Spliterator;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** forEach, entries, seek, the Snapshot read API, MemDBOptions' value methods, key order. */
class ApiAdditionsTest {
  private static byte[] b(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return out;
  }

  private static String hex(byte[] b) {
    return b == null ? "null" : HexFormat.of().formatHex(b);
  }

  private static List<String> keysOf(Stream<Entry> s) {
    try (s) {
      return s.map(e -> hex(e.key())).toList();
    }
  }

  private static List<String> forEachKeys(MemDB db, byte[] lower, byte[] upper) {
    List<String> out = new ArrayList<>();
    db.forEach(lower, upper, (k, v, f) -> out.add(hex(k)));
    return out;
  }

  // ------------------------------------------------------------------ key order

  @Test
  void keysAreOrderedUnsignedLexicographically() {
    try (MemDB db = MemDB.create()) {
      byte[][] keys = {
        b(0xff), b(0x80), b(0x7f), b(0x00), b(), b(0x80, 0x00), b(0x01), b(0x7f, 0xff)
      };
      for (byte[] key : keys) {
        db.set(key, b(1));
      }
      List<String> expected = List.of("", "00", "01", "7f", "7fff", "80", "8000", "ff");
      assertEquals(expected, keysOf(db.entries(null, null)));
      assertEquals(expected, forEachKeys(db, null, null));
      assertEquals(List.of("7fff", "80"), keysOf(db.entries(b(0x7f, 0x00), b(0x80, 0x00))));
    }
  }

  // ------------------------------------------------------------------ forEach and entries

  @Test
  void forEachAndEntriesMatchATreeMapOverRandomRanges() {
    long seed = 11;
    Random r = new Random(seed);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (MemDB db = MemDB.create()) {
      for (int i = 0; i < 2000; i++) {
        byte[] key = new byte[1 + r.nextInt(3)];
        r.nextBytes(key);
        byte[] value = new byte[r.nextInt(40)];
        r.nextBytes(value);
        if (value.length == 0) {
          db.delete(key);
        } else {
          db.set(key, value);
        }
        model.put(key, value);
      }
      db.updateFlags(b(0x42, 0x42, 0x42, 0x42), FlagsOp.SET_KEY_LOCKED); // flag-only: skipped
      for (int round = 0; round < 50; round++) {
        byte[] lo = round % 7 == 0 ? null : new byte[] {(byte) r.nextInt(256)};
        byte[] hi = round % 5 == 0 ? null : new byte[] {(byte) r.nextInt(256), 0};
        Map<byte[], byte[]> want =
            lo == null && hi == null
                ? model
                : lo == null
                    ? model.headMap(hi, false)
                    : hi == null
                        ? model.tailMap(lo, true)
                        : Arrays.compareUnsigned(lo, hi) >= 0
                            ? Map.of()
                            : model.subMap(lo, true, hi, false);
        List<String> expected = new ArrayList<>();
        want.forEach((k, v) -> expected.add(hex(k) + "=" + hex(v)));
        List<String> visited = new ArrayList<>();
        db.forEach(lo, hi, (k, v, f) -> visited.add(hex(k) + "=" + hex(v)));
        List<String> streamed;
        try (Stream<Entry> s = db.entries(lo, hi)) {
          streamed = s.map(e -> hex(e.key()) + "=" + hex(e.value())).toList();
        }
        String where = "seed " + seed + " round " + round + " [" + hex(lo) + ", " + hex(hi) + ")";
        assertEquals(expected, visited, where);
        assertEquals(expected, streamed, where);
      }
    }
  }

  @Test
  void emptyRangesVisitNothing() {
    try (MemDB db = MemDB.create()) {
      assertEquals(List.of(), forEachKeys(db, null, null), "empty buffer");
      for (int i = 0; i < 10; i++) {
        db.set(k(i), k(i));
      }
      assertEquals(List.of(), forEachKeys(db, k(3), k(3)), "lower == upper");
      assertEquals(List.of(), forEachKeys(db, k(5), k(2)), "lower > upper");
      assertEquals(List.of(), keysOf(db.entries(k(20), null)), "beyond the last key");
      assertEquals(0, db.entries(k(3), k(3)).count());
    }
  }

  @Test
  void entriesCarryValuesTombstonesAndFlags() {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), k(10), FlagsOp.SET_KEY_LOCKED);
      db.delete(k(2));
      db.updateFlags(k(3), FlagsOp.SET_NEED_LOCKED); // flag-only
      List<Entry> got;
      try (Stream<Entry> s = db.entries(null, null)) {
        got = s.toList();
      }
      assertEquals(
          List.of(
              new Entry(k(1), k(10), KeyFlags.of(KeyFlag.KEY_LOCKED.mask())),
              new Entry(k(2), new byte[0], KeyFlags.NONE)),
          got);
      List<KeyFlags> flags = new ArrayList<>();
      List<Integer> lengths = new ArrayList<>();
      db.forEach(
          null,
          null,
          (key, value, f) -> {
            flags.add(f);
            lengths.add(value.length);
          });
      assertEquals(List.of(KeyFlags.of(KeyFlag.KEY_LOCKED.mask()), KeyFlags.NONE), flags);
      assertEquals(List.of(4, 0), lengths);
    }
  }

  @Test
  void entryComparesByContent() {
    Entry a = new Entry(k(1), k(2), KeyFlags.NONE);
    Entry same = new Entry(k(1), k(2), KeyFlags.NONE);
    assertEquals(a, same);
    assertEquals(a.hashCode(), same.hashCode());
    assertNotEquals(a, new Entry(k(1), k(3), KeyFlags.NONE));
    assertNotEquals(a, new Entry(k(1), k(2), KeyFlags.of(1)));
    assertEquals("Entry[key=00000001, value=00000002, flags=KeyFlags[]]", a.toString());
    assertTrue(Entry.KEY_ORDER.compare(new Entry(b(0x80), b(1), KeyFlags.NONE), a) > 0);
    assertThrows(NullPointerException.class, () -> new Entry(null, k(1), KeyFlags.NONE));
  }

  @Test
  void entriesSpliteratorIsSortedDistinctAndNotSplittable() {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), k(1));
      try (Stream<Entry> s = db.entries(null, null)) {
        Spliterator<Entry> sp = s.spliterator();
        int c = sp.characteristics();
        for (int bit :
            new int[] {
              Spliterator.ORDERED, Spliterator.SORTED, Spliterator.DISTINCT, Spliterator.NONNULL
            }) {
          assertTrue((c & bit) != 0, "characteristic " + bit);
        }
        assertSame(Entry.KEY_ORDER, sp.getComparator());
        assertNull(sp.trySplit());
        assertTrue(sp.tryAdvance(e -> assertArrayEquals(k(1), e.key())));
        assertFalse(sp.tryAdvance(e -> {}));
        assertFalse(sp.tryAdvance(e -> {}), "stays exhausted");
      }
    }
  }

  @Test
  void forEachAndEntriesAfterClose() {
    MemDB db = MemDB.create();
    for (int i = 0; i < 100; i++) {
      db.set(k(i), k(i));
    }
    Stream<Entry> open = db.entries(null, null);
    var it = open.iterator();
    it.next();
    AtomicBoolean visitedAfterClose = new AtomicBoolean();
    IllegalStateException inVisit =
        assertThrows(
            IllegalStateException.class,
            () ->
                db.forEach(
                    null,
                    null,
                    (k, v, f) -> {
                      if (visitedAfterClose.get()) {
                        throw new AssertionError("visited after close");
                      }
                      if (Arrays.equals(k, k(3))) {
                        db.close();
                        visitedAfterClose.set(true);
                      }
                    }));
    assertEquals("MemDB is closed", inVisit.getMessage());
    IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
    assertEquals("MemDB is closed", e.getMessage());
    open.close(); // closing the stream after the buffer never throws
    assertThrows(IllegalStateException.class, () -> db.entries(null, null));
    assertThrows(IllegalStateException.class, () -> db.forEach(null, null, (k, v, f) -> {}));
    assertThrows(NullPointerException.class, () -> db.forEach(null, null, null));
  }

  @Test
  void visitorExceptionStopsTheVisit() {
    try (MemDB db = MemDB.create()) {
      for (int i = 0; i < 100; i++) {
        db.set(k(i), k(i));
      }
      List<Integer> seen = new ArrayList<>();
      RuntimeException stop = new RuntimeException("stop");
      RuntimeException e =
          assertThrows(
              RuntimeException.class,
              () ->
                  db.forEach(
                      null,
                      null,
                      (k, v, f) -> {
                        seen.add(TestKeys.asInt(k));
                        if (seen.size() == 5) {
                          throw stop;
                        }
                      }));
      assertSame(stop, e);
      assertEquals(List.of(0, 1, 2, 3, 4), seen);
    }
  }

  // ------------------------------------------------------------------ seek

  /** Keys 10, 20, ..., 90. */
  private static MemDB tens() {
    MemDB db = MemDB.create();
    for (int i = 10; i < 100; i += 10) {
      db.set(k(i), k(i));
    }
    return db;
  }

  private static List<Integer> rest(MemDBIterator it) {
    List<Integer> out = new ArrayList<>();
    for (; it.valid(); it.next()) {
      out.add(TestKeys.asInt(it.key()));
    }
    return out;
  }

  @Test
  void ascendingSeekGoesToTheFirstKeyAtOrAfterAndClampsToLower() {
    try (MemDB db = tens();
        MemDBIterator it = db.iterator(k(20), k(80))) {
      it.seek(k(50));
      assertEquals(List.of(50, 60, 70), rest(it), "existing key: inclusive");
      it.seek(k(45)); // after running to its end
      assertEquals(List.of(50, 60, 70), rest(it), "between keys");
      it.seek(k(0));
      assertEquals(List.of(20, 30, 40, 50, 60, 70), rest(it), "below lower: clamped");
      it.seek(k(80));
      assertFalse(it.valid(), "at upper: nothing left");
      it.seek(k(1000));
      assertFalse(it.valid(), "beyond upper");
      it.seek(k(30));
      it.next();
      it.seek(k(30)); // backwards
      assertEquals(30, TestKeys.asInt(it.key()));
    }
  }

  @Test
  void descendingSeekGoesToTheLastKeyBeforeAndClampsToUpper() {
    try (MemDB db = tens();
        MemDBIterator it = db.descendingIterator(k(20), k(80))) {
      it.seek(k(50));
      assertEquals(List.of(40, 30, 20), rest(it), "existing key: exclusive, like upper");
      it.seek(k(55));
      assertEquals(List.of(50, 40, 30, 20), rest(it), "between keys");
      it.seek(k(1000));
      assertEquals(List.of(70, 60, 50, 40, 30, 20), rest(it), "above upper: clamped");
      it.seek(k(20));
      assertFalse(it.valid(), "at lower: nothing below it in range");
      it.seek(k(0));
      assertFalse(it.valid(), "below lower");
    }
  }

  @Test
  void seekSeesWritesMadeAfterTheIteratorOpened() {
    try (MemDB db = tens();
        MemDBIterator it = db.iteratorWithFlags(null, null)) {
      db.updateFlags(k(15), FlagsOp.SET_KEY_LOCKED);
      db.delete(k(20));
      it.seek(k(11));
      assertEquals(15, TestKeys.asInt(it.key()));
      assertFalse(it.hasValue(), "flag-only key of a with-flags iterator");
      it.next();
      assertEquals(20, TestKeys.asInt(it.key()));
      assertArrayEquals(new byte[0], it.value(), "tombstone");
    }
  }

  @Test
  void seekErrors() {
    MemDB db = tens();
    MemDBIterator it = db.iterator(null, null);
    assertThrows(NullPointerException.class, () -> it.seek(null));
    it.close();
    IllegalStateException closedIt = assertThrows(IllegalStateException.class, () -> it.seek(k(1)));
    assertEquals("iterator is closed", closedIt.getMessage());
    MemDBIterator open = db.iterator(null, null);
    int stage = db.staging();
    MemDBIterator snap = db.snapshot().iterator(null, null);
    db.release(stage);
    assertThrows(StaleSnapshotException.class, () -> snap.seek(k(10)));
    assertFalse(snap.valid());
    db.close();
    IllegalStateException closedDb =
        assertThrows(IllegalStateException.class, () -> open.seek(k(1)));
    assertEquals("MemDB is closed", closedDb.getMessage());
  }

  // ------------------------------------------------------------------ Snapshot read API

  @Test
  void snapshotReadsAsOfTheStageStart() {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), k(10), FlagsOp.SET_KEY_LOCKED);
      db.delete(k(2));
      db.set(k(4), k(40));
      db.updateFlags(k(5), FlagsOp.SET_NEED_LOCKED); // flag-only
      int stage = db.staging();
      Snapshot s = db.snapshot();
      db.set(k(1), new byte[] {9, 9, 9, 9, 9, 9}, FlagsOp.SET_NEED_LOCKED);
      db.set(k(3), k(30)); // new in the statement
      db.delete(k(4));

      byte[] dst = new byte[8];
      assertEquals(4, s.get(k(1), dst));
      assertArrayEquals(k(10), Arrays.copyOf(dst, 4));
      assertEquals(0, s.get(k(2), dst), "tombstone");
      assertEquals(-1, s.get(k(3), dst), "written after the snapshot");
      assertEquals(-1, s.get(k(5), dst), "flag-only");
      assertEquals(-1, s.get(k(99), dst), "absent");
      assertEquals(4, s.get(k(4), new byte[2]), "too small: length only");

      MemorySegment seg = MemorySegment.ofArray(new byte[8]);
      assertEquals(4, s.get(MemorySegment.ofArray(k(4)), seg));
      assertArrayEquals(k(40), seg.asSlice(0, 4).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
      assertEquals(-1, s.get(MemorySegment.ofArray(k(3)), seg));

      // Flags are current (not versioned) for keys that had a value at the snapshot.
      assertEquals(
          KeyFlags.of(KeyFlag.KEY_LOCKED.mask() | KeyFlag.NEED_LOCKED.mask()), s.getFlags(k(1)));
      assertEquals(KeyFlags.NONE, s.getFlags(k(2)));
      assertNull(s.getFlags(k(3)));
      assertNull(s.getFlags(k(5)));
      assertNull(s.getFlags(k(99)));

      List<String> visited = new ArrayList<>();
      s.forEach(null, null, (k, v, f) -> visited.add(TestKeys.asInt(k) + "=" + v.length));
      assertEquals(List.of("1=4", "2=0", "4=4"), visited);
      try (Stream<Entry> e = s.entries(k(2), null)) {
        assertEquals(
            List.of(
                new Entry(k(2), new byte[0], KeyFlags.NONE), new Entry(k(4), k(40), KeyFlags.NONE)),
            e.toList());
      }

      db.release(stage);
      assertThrows(StaleSnapshotException.class, () -> s.get(k(1), dst));
      assertThrows(StaleSnapshotException.class, () -> s.get(MemorySegment.ofArray(k(1)), seg));
      assertThrows(StaleSnapshotException.class, () -> s.getFlags(k(1)));
      assertThrows(StaleSnapshotException.class, () -> s.forEach(null, null, (k, v, f) -> {}));
      assertThrows(StaleSnapshotException.class, () -> s.entries(null, null));
      assertThrows(NullPointerException.class, () -> s.get(k(1), (byte[]) null));
      assertThrows(NullPointerException.class, () -> s.getFlags(null));
    }
  }

  // ------------------------------------------------------------------ ByteBuffer interop

  @Test
  void byteBuffersThroughMemorySegmentOfBuffer() {
    try (MemDB db = MemDB.create()) {
      ByteBuffer key = ByteBuffer.allocateDirect(16);
      key.put(new byte[] {7, 7}).putInt(42).flip().position(2); // the key is bytes 2..6
      ByteBuffer value = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
      db.set(MemorySegment.ofBuffer(key), MemorySegment.ofBuffer(value));
      assertEquals(2, key.position(), "the buffer's position is not moved");
      assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, db.get(k(42)));

      ByteBuffer dst = ByteBuffer.allocateDirect(8);
      long n = db.get(MemorySegment.ofBuffer(key), MemorySegment.ofBuffer(dst));
      assertEquals(5, n);
      dst.limit((int) n);
      byte[] out = new byte[5];
      dst.get(out);
      assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, out);
    }
  }

  // ------------------------------------------------------------------ MemDBOptions

  @Test
  void optionsEqualityToBuilderAndToString() {
    LongConsumer listener = f -> {};
    MemDBOptions o =
        MemDBOptions.builder()
            .initialBlockSize(1024)
            .maxBlockSize(1 << 20)
            .entrySizeLimit(100)
            .bufferSizeLimit(10_000)
            .memoryFootprintListener(listener)
            .build();
    MemDBOptions copy = o.toBuilder().build();
    assertEquals(o, copy);
    assertEquals(o.hashCode(), copy.hashCode());
    assertSame(listener, copy.memoryFootprintListener());
    assertEquals(
        "MemDBOptions[initialBlockSize=1024, maxBlockSize=1048576, entrySizeLimit=100,"
            + " bufferSizeLimit=10000, prepareAheadBytes=536870912, rollbackChunkRecords=4096,"
            + " memoryFootprintListener=set]",
        o.toString());
    assertEquals(
        "MemDBOptions[initialBlockSize=4096, maxBlockSize=134217728, entrySizeLimit=none,"
            + " bufferSizeLimit=none, prepareAheadBytes=536870912, rollbackChunkRecords=4096,"
            + " memoryFootprintListener=none]",
        MemDBOptions.builder().build().toString());

    assertNotEquals(o, o.toBuilder().initialBlockSize(2048).build());
    assertNotEquals(o, o.toBuilder().maxBlockSize(1 << 21).build());
    assertNotEquals(o, o.toBuilder().prepareAheadBytes(1 << 30).build());
    assertEquals(1 << 30, o.toBuilder().prepareAheadBytes(1 << 30).build().prepareAheadBytes());
    assertThrows(
        IllegalArgumentException.class, () -> MemDBOptions.builder().prepareAheadBytes(-1));
    assertNotEquals(o, o.toBuilder().entrySizeLimit(101).build());
    assertNotEquals(o, o.toBuilder().bufferSizeLimit(0).build());
    assertNotEquals(o, o.toBuilder().memoryFootprintListener(f -> {}).build(), "by identity");
    assertNotEquals(o, o.toBuilder().memoryFootprintListener(null).build());
    assertEquals(MemDBOptions.builder().build(), MemDBOptions.builder().entrySizeLimit(0).build());
    // The builder is a copy: changing it leaves the options it came from alone.
    MemDBOptions.Builder b = o.toBuilder();
    b.entrySizeLimit(5);
    assertEquals(100, o.entrySizeLimit());
  }
}
