package dev.memdb;

import static dev.memdb.TestKeys.capture;
import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memdb.TestKeys.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The contract gaps of issue 11: each test failed on the code before its fix. */
class ContractGapsTest {

  // ------------------------------------------------------------------ 1. a throwing listener

  @Test
  void throwingFootprintListenerReportsTheWriteAsApplied() {
    RuntimeException budget = new RuntimeException("budget spent");
    AtomicLong told = new AtomicLong();
    AtomicInteger calls = new AtomicInteger();
    try (MemDB db =
        MemDB.create(
            MemDBOptions.builder()
                .memoryFootprintListener(
                    f -> {
                      told.set(f);
                      if (calls.getAndIncrement() == 0) { // the first allocation spends it
                        throw budget;
                      }
                    })
                .build())) {
      int stage = db.staging();
      FootprintListenerException e =
          assertThrows(FootprintListenerException.class, () -> db.set(k(1), k(2)));
      assertSame(budget, e.getCause());
      assertEquals(told.get(), e.footprint());
      // The documented state: the write was applied, and the footprint told is the real one.
      assertArrayEquals(k(2), db.get(k(1)));
      assertEquals(1, db.keyCount());
      assertEquals(db.memoryFootprint(), told.get());
      // The documented way to abort: roll the statement back (its rollback frees the value block,
      // and the listener, which does not throw now, is told).
      db.cleanup(stage);
      assertNull(db.get(k(1)));
      assertEquals(0, db.keyCount());
      assertEquals(db.memoryFootprint(), told.get());
      assertEquals(2, calls.get());
    }
  }

  // ------------------------------------------------------------------ 2. iterators after close

  @Test
  void everyIteratorCallAfterCloseThrowsMemDBIsClosed() {
    MemDB db = MemDB.create();
    for (int i = 0; i < 100; i++) {
      db.set(k(i), k(i));
    }
    MemDBIterator[] its = {
      db.iterator(null, null),
      db.descendingIterator(null, null),
      db.iteratorWithFlags(null, null),
      db.snapshot().iterator(null, null),
    };
    for (MemDBIterator it : its) {
      assertTrue(it.valid());
    }
    db.close();
    byte[] dst = new byte[16];
    for (MemDBIterator it : its) {
      List<Executable> calls =
          List.of(
              it::valid,
              it::key,
              it::value,
              it::flags,
              it::hasValue,
              () -> it.key(dst),
              () -> it.value(dst),
              it::next);
      for (int i = 0; i < calls.size(); i++) {
        IllegalStateException e = assertThrows(IllegalStateException.class, calls.get(i));
        assertEquals("MemDB is closed", e.getMessage(), "call #" + i + " of " + it);
      }
      it.close(); // releasing an iterator never throws
    }
  }

  @Test
  void iteratorIsInvalidAfterNextThrew() {
    MemDB db = MemDB.create();
    for (int i = 0; i < 100; i++) {
      db.set(k(i), k(i));
    }
    int stage = db.staging();
    MemDBIterator it = db.snapshot().iterator(null, null);
    it.next();
    db.release(stage);
    assertThrows(StaleSnapshotException.class, it::next);
    assertFalse(it.valid(), "valid() after next() threw");
    assertThrows(NoSuchElementException.class, it::key);
    assertThrows(NoSuchElementException.class, it::next);
    db.close();
  }

  // ------------------------------------------------------------------ 3. null flag operations

  @Test
  void nullFlagOperationsThrowAndChangeNothing() {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), k(1), FlagsOp.SET_KEY_LOCKED);
      db.updateFlags(k(2), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
      int stage = db.staging();
      db.set(k(3), k(3));
      var seg = java.lang.foreign.MemorySegment.ofArray(k(9));
      List<Executable> ops =
          List.of(
              () -> db.set(k(1), k(5), (FlagsOp) null),
              () -> db.set(k(7), k(5), (FlagsOp[]) null),
              () -> db.set(k(7), k(5), FlagsOp.SET_KEY_LOCKED, null),
              () -> db.delete(k(1), (FlagsOp) null),
              () -> db.delete(k(7), (FlagsOp[]) null),
              () -> db.updateFlags(k(1), (FlagsOp) null),
              () -> db.updateFlags(k(7), (FlagsOp[]) null),
              () -> db.updateFlags(k(7), null, FlagsOp.SET_KEY_LOCKED),
              () -> db.set(seg, seg, (FlagsOp) null),
              () -> db.set(seg, seg, (FlagsOp[]) null));
      for (int i = 0; i < ops.size(); i++) {
        State before = capture(db);
        NullPointerException e = assertThrows(NullPointerException.class, ops.get(i), "op #" + i);
        assertTrue(
            e.getMessage() != null && e.getMessage().contains("ops"),
            "op #" + i + ": " + e.getMessage());
        assertEquals(before, capture(db), "op #" + i + " changed the buffer");
      }
      assertEquals(1, db.stagingDepth());
      db.cleanup(stage);
    }
  }

  @Test
  void nullArgumentsOfReadsAndIteratorsThrowNullPointerException() {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), k(1));
      MemDBIterator it = db.iterator(null, null);
      Snapshot s = db.snapshot();
      List<Executable> ops =
          List.of(
              () -> it.key(null),
              () -> it.value(null),
              () -> s.get(null),
              () -> db.get(k(1), (byte[]) null),
              () -> db.inspectStage(1, null),
              () -> db.revertToCheckpoint(null));
      for (int i = 0; i < ops.size(); i++) {
        NullPointerException e = assertThrows(NullPointerException.class, ops.get(i), "op #" + i);
        assertInstanceOf(String.class, e.getMessage(), "op #" + i + " has a message");
      }
      it.close();
    }
  }

  // ------------------------------------------------------------------ 4. stage handles

  @Test
  void staleStageHandleActsOnTheNextStageAtItsDepth() {
    try (MemDB db = MemDB.create()) {
      int first = db.staging();
      db.cleanup(first);
      int second = db.staging();
      assertEquals(first, second, "a handle is a depth, not an identity");
      db.set(k(1), k(1));
      db.cleanup(first); // the stale handle rolls back the second stage
      assertNull(db.get(k(1)));
      assertEquals(0, db.stagingDepth());
    }
  }

  @Test
  void stagesAreBufferWideAcrossThreads() throws Exception {
    try (MemDB db = MemDB.create()) {
      int h = db.staging();
      db.set(k(1), k(1));
      Thread other =
          new Thread(
              () -> {
                assertEquals(1, db.stagingDepth()); // the stage opened on the test thread
                db.set(k(2), k(2)); // written into that stage
                db.cleanup(h); // and rolled back from another thread
              });
      other.start();
      other.join();
      assertEquals(0, db.stagingDepth());
      assertNull(db.get(k(1)));
      assertNull(db.get(k(2)));
    }
  }

  // ------------------------------------------------------------------ 5. thread rules

  @Test
  void everyPublicTypeStatesItsThreadRules() throws IOException {
    List<String> missing = new ArrayList<>();
    int types = 0;
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/memdb"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String src = Files.readString(f);
        if (!PUBLIC_TYPE.matcher(src).find()) {
          continue;
        }
        types++;
        if (!src.contains("Thread safety")) {
          missing.add(f.getFileName().toString());
        }
      }
    }
    assertTrue(types >= 15, "found only " + types + " public types");
    assertEquals(List.of(), missing, "public types without a \"Thread safety\" paragraph");
  }

  private static final Pattern PUBLIC_TYPE =
      Pattern.compile("(?m)^public (final |abstract )?(class|interface|enum|record) ");
}
