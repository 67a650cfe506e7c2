package dev.memdb;

import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A rollback undoes its records in chunks and lets queued writers in between them (issue 10, item
 * 3). Each test races one writer thread against a cleanup of a large stage, and checks that the
 * writer did get in between two chunks and that the outcome is the one of the two run one after the
 * other (the cleanup first: the writer starts only once readers see the rollback's result, i.e.
 * after its linearization point).
 */
class RollbackChunksTest {
  private static final int BASE = 2_000; // committed keys 0..BASE-1, value = key
  private static final int STAGED = 30_000; // keys written in the stage: every base key, then new

  private static final MemDBOptions CHUNK_OF_ONE =
      MemDBOptions.builder().rollbackChunkRecords(1).build();

  /** A committed base, then one stage that overwrites every base key and adds new ones. */
  private static int fill(MemDB db) {
    for (int i = 0; i < BASE; i++) {
      db.set(k(i), k(i));
    }
    int h = db.staging();
    for (int i = 0; i < STAGED; i++) {
      db.set(k(i), k(-i - 1));
    }
    return h;
  }

  /** The state a test compares, without the footprint (block sizes depend on timing). */
  private record Outcome(
      java.util.List<String> entries, long keyCount, long dataSize, boolean dirty, int depth) {
    static Outcome of(MemDB db) {
      TestKeys.State s = TestKeys.capture(db);
      return new Outcome(s.entries(), s.keyCount(), s.dataSize(), s.dirty(), s.depth());
    }
  }

  /**
   * Races {@code writes} (on another thread, once readers see the rollback) against the cleanup.
   * The first write must lock {@code witness}, a key not locked before. At its first chunk boundary
   * the rollback waits until that thread is queued on the write lock, so the hand-off is exercised
   * every time; returns whether a later boundary saw the first lock applied, i.e. the lock went in
   * between two chunks.
   */
  private static boolean race(MemDB db, int handle, byte[] witness, List<Consumer<MemDB>> writes)
      throws Exception {
    ReentrantLock lock = db.store().gate().writeLock();
    AtomicBoolean queuedAtFirstBoundary = new AtomicBoolean();
    AtomicBoolean lockSeenMidRollback = new AtomicBoolean();
    AtomicBoolean first = new AtomicBoolean(true);
    db.store()
        .stages()
        .setRollbackChunkBoundaryHook(
            () -> {
              if (db.store().stages().rollbackCounting()) {
                return; // before the linearization point: the writer waits for the rollback
              }
              if (first.getAndSet(false)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!lock.hasQueuedThreads() && System.nanoTime() < deadline) {
                  Thread.onSpinWait();
                }
                queuedAtFirstBoundary.set(lock.hasQueuedThreads());
              } else if (!lockSeenMidRollback.get()) {
                KeyFlags f = db.getFlags(witness);
                lockSeenMidRollback.set(f != null && f.has(KeyFlag.KEY_LOCKED));
              }
            });
    byte[] probe = k(STAGED - 1); // a new key of the stage: absent once the rollback has begun
    cleanupAgainstWriter(
        db,
        handle,
        () -> {
          while (db.get(probe) != null) {
            Thread.onSpinWait();
          }
        },
        writes,
        () -> {});
    assertTrue(queuedAtFirstBoundary.get(), "the writer never queued on the lock");
    return lockSeenMidRollback.get();
  }

  /** A step of the writer thread that may wait. */
  private interface Step {
    void run() throws InterruptedException;
  }

  /**
   * Cleans up {@code handle} while another thread runs {@code start}, {@code writes} and then
   * {@code done}; clears the boundary hook, and fails if that thread failed.
   */
  private static void cleanupAgainstWriter(
      MemDB db, int handle, Step start, List<Consumer<MemDB>> writes, Runnable done)
      throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread writer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    start.run();
                    writes.forEach(w -> w.accept(db));
                    done.run();
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });
    db.cleanup(handle);
    writer.join(TimeUnit.SECONDS.toMillis(60));
    db.store().stages().setRollbackChunkBoundaryHook(null);
    assertNull(failure.get(), "the writer failed");
  }

  /**
   * The race against the cleanup must leave what the cleanup and then the writes leave. With {@code
   * onlyLocks}, the lock of {@code witness} must also have gone in between two chunks (a value
   * write instead finishes the rollback, so there may be no later chunk to see it from).
   */
  private static void expectSequentialOutcome(
      byte[] witness, boolean onlyLocks, List<Consumer<MemDB>> writes) throws Exception {
    Outcome expected;
    try (MemDB db = MemDB.create()) {
      db.cleanup(fill(db));
      writes.forEach(w -> w.accept(db));
      expected = Outcome.of(db);
    }
    try (MemDB db = MemDB.create(CHUNK_OF_ONE)) {
      int h = fill(db);
      boolean lockMidRollback = race(db, h, witness, writes);
      if (onlyLocks) {
        assertTrue(lockMidRollback, "the first lock did not go in between chunks");
      }
      assertEquals(expected, Outcome.of(db));
      TestKeys.checkTree(db);
    }
  }

  @Test
  void lockersGoAheadBetweenChunksAndSeeTheRolledBackState() throws Exception {
    // Lock every third key, base or new, oldest record first, then others newest first, so some
    // keys are settled ahead of the chunked pass and some after it.
    List<Consumer<MemDB>> locks = new ArrayList<>();
    for (int i = 0; i < STAGED; i += 3) {
      byte[] key = k(i);
      locks.add(db -> db.updateFlags(key, FlagsOp.SET_KEY_LOCKED));
    }
    for (int i = STAGED - 2; i > 0; i -= 7) {
      byte[] key = k(i);
      locks.add(
          db -> db.updateFlags(key, FlagsOp.SET_KEY_LOCKED, FlagsOp.SET_PRESUME_KEY_NOT_EXISTS));
    }
    locks.add(db -> db.updateFlags(k(STAGED + 5), FlagsOp.SET_KEY_LOCKED)); // never written
    expectSequentialOutcome(k(0), true, locks);
  }

  @Test
  void aValueWriteBetweenChunksFinishesTheRollbackAndKeepsItsRecord() throws Exception {
    expectSequentialOutcome(
        k(BASE + 1),
        false,
        List.of(
            db -> db.updateFlags(k(BASE + 1), FlagsOp.SET_KEY_LOCKED), // settles one key
            db -> db.set(k(7), k(777)), // a base key the stage overwrote
            db -> db.set(k(BASE + 3), k(333)), // a key the stage added
            db -> db.delete(k(8)),
            db -> db.set(k(STAGED + 9), k(999)))); // a new key: its record outlives the truncation
  }

  @Test
  void lockersSeeTheKeysTheyLockAsTheRollbackLeftThem() throws Exception {
    try (MemDB db = MemDB.create(CHUNK_OF_ONE)) {
      int h = fill(db);
      boolean[] sawStaleValue = {false};
      List<Consumer<MemDB>> lockAndRead = new ArrayList<>();
      for (int i = STAGED - 1; i >= 0; i -= 5) {
        int key = i;
        lockAndRead.add(
            d -> {
              d.updateFlags(k(key), FlagsOp.SET_KEY_LOCKED);
              byte[] v = d.get(k(key));
              sawStaleValue[0] |= key < BASE ? v == null || TestKeys.asInt(v) != key : v != null;
            });
      }
      assertTrue(race(db, h, k(STAGED - 1), lockAndRead), "no lock went in between chunks");
      assertTrue(!sawStaleValue[0], "a locker read a value the rollback undoes");
      assertArrayEquals(k(5), db.get(k(5)));
      assertNull(db.get(k(BASE + 5)));
      assertEquals(0, db.stagingDepth());
    }
  }

  /**
   * Flags-only writes let in during the counting pass happen before the rollback: the outcome is
   * the one of the writes and then the cleanup. Some of them change whether a node the pass has
   * already counted outlives the rollback (a lock on a key the stage added, an unlock of one the
   * stage locked), which the count must follow.
   */
  @Test
  void lockersLetInWhileTheRollbackCountsGoBeforeIt() throws Exception {
    int lockedInStage = 50; // the newest keys of the stage, locked in it; counted first
    List<Consumer<MemDB>> writes = new ArrayList<>();
    for (int i = STAGED - 1; i >= STAGED - lockedInStage; i--) {
      byte[] key = k(i);
      writes.add(db -> db.updateFlags(key, FlagsOp.DEL_KEY_LOCKED));
    }
    for (int i = STAGED - lockedInStage - 1; i >= BASE; i -= 11) {
      byte[] key = k(i); // counted already for the newest ones, not yet for the rest
      writes.add(db -> db.updateFlags(key, FlagsOp.SET_KEY_LOCKED));
    }
    for (int i = 0; i < BASE; i += 13) {
      byte[] key = k(i);
      writes.add(db -> db.updateFlags(key, FlagsOp.SET_KEY_LOCKED));
    }
    writes.add(db -> db.updateFlags(k(STAGED + 5), FlagsOp.SET_KEY_LOCKED)); // never written

    Outcome expected;
    try (MemDB db = MemDB.create()) {
      int h = fillAndLock(db, lockedInStage);
      writes.forEach(w -> w.accept(db));
      db.cleanup(h);
      expected = Outcome.of(db);
    }
    try (MemDB db = MemDB.create(CHUNK_OF_ONE)) {
      int h = fillAndLock(db, lockedInStage);
      ReentrantLock lock = db.store().gate().writeLock();
      CountDownLatch startWriting = new CountDownLatch(1);
      AtomicBoolean writesDone = new AtomicBoolean();
      AtomicBoolean doneWhileCounting = new AtomicBoolean();
      AtomicInteger boundaries = new AtomicInteger();
      db.store()
          .stages()
          .setRollbackChunkBoundaryHook(
              () -> {
                if (!db.store().stages().rollbackCounting()) {
                  return;
                }
                // Let the writer in only once the newest records are counted, then at every
                // boundary until it is done (it would not be queued at most of them otherwise).
                if (boundaries.incrementAndGet() < 1_000 || doneWhileCounting.get()) {
                  return;
                }
                startWriting.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!lock.hasQueuedThreads()
                    && !writesDone.get()
                    && System.nanoTime() < deadline) {
                  Thread.onSpinWait();
                }
                doneWhileCounting.set(writesDone.get());
              });
      cleanupAgainstWriter(db, h, startWriting::await, writes, () -> writesDone.set(true));
      assertTrue(doneWhileCounting.get(), "the writes did not all go in before the linearization");
      assertEquals(expected, Outcome.of(db));
      TestKeys.checkTree(db);
    }
  }

  /** {@link #fill}, then the newest {@code n} keys of the stage locked in it. */
  private static int fillAndLock(MemDB db, int n) {
    int h = fill(db);
    for (int i = STAGED - 1; i >= STAGED - n; i--) {
      db.updateFlags(k(i), FlagsOp.SET_KEY_LOCKED);
    }
    return h;
  }

  @Test
  void theChunkIsAnOptionCheckedWhenSet() {
    assertEquals(
        MemDBOptions.DEFAULT_ROLLBACK_CHUNK_RECORDS,
        MemDBOptions.builder().build().rollbackChunkRecords());
    assertEquals(1, CHUNK_OF_ONE.rollbackChunkRecords());
    assertTrue(CHUNK_OF_ONE.toString().contains("rollbackChunkRecords=1"));
    assertEquals(CHUNK_OF_ONE, CHUNK_OF_ONE.toBuilder().build());
    assertTrue(!CHUNK_OF_ONE.equals(MemDBOptions.builder().build()));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> MemDBOptions.builder().rollbackChunkRecords(0));
    assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
  }
}
