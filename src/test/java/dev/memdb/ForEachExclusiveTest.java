package dev.memdb;

import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link MemDB#forEachExclusive}: the same entries as {@link MemDB#iterator}, read in place under
 * the write lock; writes from the visitor refused, other threads' writes held off, reads not.
 */
class ForEachExclusiveTest {
  /**
   * Threads of their own: the common pool may have a single worker (2 cores), which a paused visit
   * would keep from the reads and writes it must not block.
   */
  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(
          task -> {
            Thread t = new Thread(task, "ForEachExclusiveTest");
            t.setDaemon(true);
            return t;
          });

  /** One entry as a visit or an iterator showed it, comparable. */
  private record Shown(String key, String value, int flags) {}

  private static List<Shown> visit(MemDB db, byte[] lower, byte[] upper) {
    List<Shown> out = new ArrayList<>();
    byte[] keyDst = new byte[8];
    byte[] valueDst = new byte[8];
    db.forEachExclusive(
        lower,
        upper,
        e -> {
          byte[] key = e.key();
          byte[] value = e.value();
          assertEquals(key.length, e.keyLength());
          assertEquals(value.length, e.valueLength());
          // The array accessors copy only what fits, and always tell the length.
          assertEquals(key.length, e.key(keyDst));
          if (key.length <= keyDst.length) {
            assertArrayEquals(key, java.util.Arrays.copyOf(keyDst, key.length));
          }
          assertEquals(value.length, e.value(valueDst));
          if (value.length <= valueDst.length) {
            assertArrayEquals(value, java.util.Arrays.copyOf(valueDst, value.length));
          }
          out.add(new Shown(hex(key), hex(value), e.flags().bits()));
        });
    return out;
  }

  private static List<Shown> iterate(MemDB db, byte[] lower, byte[] upper) {
    List<Shown> out = new ArrayList<>();
    try (MemDBIterator it = db.iterator(lower, upper)) {
      for (; it.valid(); it.next()) {
        out.add(new Shown(hex(it.key()), hex(it.value()), it.flags().bits()));
      }
    }
    return out;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] randomKey(Random r) {
    byte[] key = new byte[r.nextInt(12)]; // the empty key and keys below and above 8 bytes
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) r.nextInt(4); // few distinct bytes: shared prefixes, rewrites
    }
    return key;
  }

  @Test
  void showsWhatTheIteratorShowsForEveryRange() {
    Random r = new Random(7);
    try (MemDB db = MemDB.create()) {
      assertEquals(List.of(), visit(db, null, null), "a buffer never written");
      int stage = 0;
      for (int round = 0; round < 40; round++) {
        for (int i = 0; i < 50; i++) {
          byte[] key = randomKey(r);
          switch (r.nextInt(6)) {
            case 0 -> db.delete(key); // a tombstone: shown, with a value of length 0
            case 1 -> db.updateFlags(key, FlagsOp.SET_KEY_LOCKED); // flag-only unless it has one
            case 2 -> {
              byte[] value = randomKey(r);
              db.set(key, value.length == 0 ? new byte[] {1} : value);
            }
            default -> db.set(key, new byte[r.nextInt(20) + 1], FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
          }
        }
        if (stage > 0 && r.nextInt(3) == 0) {
          db.cleanup(stage); // rolled-back keys stay linked in the tree, hidden
          stage = db.stagingDepth();
        } else if (r.nextInt(3) == 0) {
          stage = db.staging();
        }
        for (int b = 0; b < 5; b++) {
          byte[] lower = r.nextInt(4) == 0 ? null : randomKey(r);
          byte[] upper = r.nextInt(4) == 0 ? null : randomKey(r);
          assertEquals(iterate(db, lower, upper), visit(db, lower, upper), "round " + round);
        }
      }
      assertFalse(iterate(db, null, null).isEmpty());
    }
  }

  @Test
  void theVisitorCannotWriteCloseOrNestAndTheBufferStaysAsItWas() {
    try (MemDB db = MemDB.create()) {
      for (int i = 0; i < 10; i++) {
        db.set(k(i), k(i));
      }
      db.updateFlags(k(100), FlagsOp.SET_KEY_LOCKED);
      var before = TestKeys.capture(db);
      List<String> refused = new ArrayList<>();
      db.forEachExclusive(
          null,
          null,
          e -> {
            refuse(refused, "set", () -> db.set(k(50), k(50)));
            refuse(refused, "delete", () -> db.delete(e.key()));
            refuse(refused, "flags", () -> db.updateFlags(e.key(), FlagsOp.SET_KEY_LOCKED));
            refuse(refused, "staging", db::staging);
            refuse(refused, "close", db::close);
            refuse(refused, "nested visit", () -> db.forEachExclusive(null, null, x -> {}));
            refuse(refused, "inspect", () -> db.inspectStage(1, (key, f, v) -> {}));
            // A nested call that was refused must not lift the ban for the rest of the visit.
            refuse(refused, "set after nesting", () -> db.set(k(51), k(51)));
          });
      assertEquals(10 * 8, refused.size(), refused::toString);
      assertEquals(before, TestKeys.capture(db));
      db.set(k(50), k(50)); // the lock was released, the ban lifted
      assertEquals(11, iterate(db, null, null).size());
    }
  }

  @Test
  void aRefusedNestedCallInsideInspectStageKeepsTheWriteBan() {
    try (MemDB db = MemDB.create()) {
      int h = db.staging();
      db.set(k(1), k(1));
      AtomicBoolean wrote = new AtomicBoolean();
      db.inspectStage(
          h,
          (key, flags, value) -> {
            assertThrows(IllegalStateException.class, () -> db.inspectStage(h, (a, b, c) -> {}));
            try {
              db.set(k(2), k(2));
              wrote.set(true);
            } catch (IllegalStateException expected) {
              // the ban holds
            }
          });
      assertFalse(wrote.get(), "a write went in from inside inspectStage");
      assertNull(db.get(k(2)));
    }
  }

  private static void refuse(List<String> refused, String what, Runnable call) {
    IllegalStateException e = assertThrows(IllegalStateException.class, call::run, what);
    assertTrue(e.getMessage().contains("must not"), e::getMessage);
    refused.add(what);
  }

  @Test
  void aViewIsDeadOutsideItsCall() {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), k(10));
      db.set(k(2), k(20));
      AtomicReference<EntryView> kept = new AtomicReference<>();
      List<String> keysSeenThroughFirstView = new ArrayList<>();
      db.forEachExclusive(
          null,
          null,
          e -> {
            kept.compareAndSet(null, e);
            keysSeenThroughFirstView.add(hex(kept.get().key()));
          });
      // One object, re-pointed at each entry: the documented reason not to keep it.
      assertEquals(List.of(hex(k(1)), hex(k(2))), keysSeenThroughFirstView);
      EntryView view = kept.get();
      assertThrows(IllegalStateException.class, view::keyLength);
      assertThrows(IllegalStateException.class, view::key);
      assertThrows(IllegalStateException.class, () -> view.key(new byte[4]));
      assertThrows(IllegalStateException.class, view::valueLength);
      assertThrows(IllegalStateException.class, view::value);
      assertThrows(IllegalStateException.class, () -> view.value(new byte[4]));
      assertThrows(IllegalStateException.class, view::flags);
    }
  }

  @Test
  void anExceptionFromTheVisitorPropagatesAndReleasesTheLock() throws Exception {
    try (MemDB db = MemDB.create()) {
      db.set(k(1), k(1));
      db.set(k(2), k(2));
      RuntimeException boom = new RuntimeException("boom");
      List<String> seen = new ArrayList<>();
      RuntimeException thrown =
          assertThrows(
              RuntimeException.class,
              () ->
                  db.forEachExclusive(
                      null,
                      null,
                      e -> {
                        seen.add(hex(e.key()));
                        throw boom;
                      }));
      assertSame(boom, thrown);
      assertEquals(1, seen.size(), "the visit stopped at the exception");
      // Another thread can write: the lock is free, and the write ban belonged to the visit.
      CompletableFuture.runAsync(() -> db.set(k(3), k(3)), THREADS).get(10, TimeUnit.SECONDS);
      db.set(k(4), k(4));
      assertEquals(4, db.keyCount());
    }
  }

  @Test
  void writersWaitForTheVisitAndLockFreeReadsDoNot() throws Exception {
    try (MemDB db = MemDB.create()) {
      for (int i = 0; i < 100; i++) {
        db.set(k(i), k(i));
      }
      CountDownLatch inVisit = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      AtomicReference<CompletableFuture<Void>> write = new AtomicReference<>();
      List<Integer> seen = new ArrayList<>();
      CompletableFuture<Void> visit =
          CompletableFuture.runAsync(
              () ->
                  db.forEachExclusive(
                      null,
                      null,
                      e -> {
                        seen.add(TestKeys.asInt(e.key()));
                        if (seen.size() == 1) {
                          inVisit.countDown();
                          await(resume);
                        }
                      }),
              THREADS);
      assertTrue(inVisit.await(10, TimeUnit.SECONDS));
      // Reads take no lock: they finish while the visit holds it.
      CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> db.get(k(50)), THREADS);
      assertArrayEquals(k(50), read.get(10, TimeUnit.SECONDS));
      try (MemDBIterator it = db.iterator(k(98), null)) {
        assertTrue(it.valid());
        assertArrayEquals(k(98), it.key());
      }
      // A write cannot finish while the lock is held, however long it is given.
      write.set(CompletableFuture.runAsync(() -> db.set(k(200), k(200)), THREADS));
      Thread.sleep(200);
      assertFalse(write.get().isDone(), "a write went in during the visit");
      resume.countDown();
      visit.get(10, TimeUnit.SECONDS);
      write.get().get(10, TimeUnit.SECONDS);
      assertEquals(100, seen.size(), "the visit shows the buffer as it was when it began");
      assertEquals(99, seen.get(99));
      assertArrayEquals(k(200), db.get(k(200)));
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRollbackUnderWayIsFinishedBeforeTheVisit() throws Exception {
    MemDBOptions chunkOfOne = MemDBOptions.builder().rollbackChunkRecords(1).build();
    try (MemDB db = MemDB.create(chunkOfOne)) {
      for (int i = 0; i < 200; i++) {
        db.set(k(i), k(i));
      }
      int h = db.staging();
      for (int i = 0; i < 2_000; i++) {
        db.set(k(i), k(-i - 1));
      }
      var lock = db.store().gate().writeLock();
      AtomicReference<CompletableFuture<List<Shown>>> visit = new AtomicReference<>();
      AtomicBoolean letIn = new AtomicBoolean();
      db.store()
          .stages()
          .setRollbackChunkBoundaryHook(
              () -> {
                if (db.store().stages().rollbackCounting() || visit.get() != null) {
                  return;
                }
                // Past the rollback's linearization point: a visit queued now is let in
                // between two chunks, with the undoing pass half done.
                visit.set(CompletableFuture.supplyAsync(() -> visit(db, null, null), THREADS));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!lock.hasQueuedThreads() && System.nanoTime() < deadline) {
                  Thread.onSpinWait();
                }
                letIn.set(lock.hasQueuedThreads());
              });
      db.cleanup(h);
      db.store().stages().setRollbackChunkBoundaryHook(null);
      assertTrue(letIn.get(), "the visit never queued on the lock");
      List<Shown> seen = visit.get().get(10, TimeUnit.SECONDS);
      // Half undone, the stage's new keys would still show, or its values of the base keys.
      assertEquals(200, seen.size(), "keys the visit saw");
      assertTrue(iterate(db, null, null).equals(seen), "the visit saw a half-undone stage");
    }
  }

  @Test
  void refusesNullVisitorDiscardedValuesAndAClosedBuffer() {
    MemDB db = MemDB.create();
    db.set(k(1), k(1));
    assertThrows(NullPointerException.class, () -> db.forEachExclusive(null, null, null));
    db.discardValues();
    assertThrows(IllegalStateException.class, () -> db.forEachExclusive(null, null, e -> {}));
    db.close();
    assertThrows(IllegalStateException.class, () -> db.forEachExclusive(null, null, e -> {}));
  }
}
