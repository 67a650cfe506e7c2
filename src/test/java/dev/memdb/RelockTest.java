package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * A flags-only update that changes nothing (a key locked again) returns after a lock-free read;
 * every other update still takes the write path, with its checks and its effect on the dirty flag.
 */
class RelockTest {
  private static byte[] k(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs {@code op} on another thread while this test's helper thread holds the write lock. */
  private static final class HeldLock implements AutoCloseable {
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Thread holder;

    HeldLock(MemDB db) throws InterruptedException {
      ReentrantLock lock = db.store().gate().writeLock();
      holder =
          Thread.ofPlatform()
              .start(
                  () -> {
                    lock.lock();
                    try {
                      held.countDown();
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } finally {
                      lock.unlock();
                    }
                  });
      assertTrue(held.await(10, TimeUnit.SECONDS), "the helper never took the lock");
    }

    @Override
    public void close() throws InterruptedException {
      release.countDown();
      holder.join();
    }
  }

  @Test
  void relockingALockedKeyDoesNotWaitForTheWriteLock() throws Exception {
    try (MemDB db = MemDB.create()) {
      db.set(k("a"), k("1"), FlagsOp.SET_KEY_LOCKED);
      db.updateFlags(k("b"), FlagsOp.SET_KEY_LOCKED, FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
      CompletableFuture<Void> fresh;
      try (HeldLock held = new HeldLock(db)) {
        CompletableFuture.runAsync(() -> db.updateFlags(k("a"), FlagsOp.SET_KEY_LOCKED))
            .get(10, TimeUnit.SECONDS);
        CompletableFuture.runAsync(
                () ->
                    db.updateFlags(
                        k("b"), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS, FlagsOp.SET_KEY_LOCKED))
            .get(10, TimeUnit.SECONDS);
        // An update that changes something waits for the lock.
        fresh = CompletableFuture.runAsync(() -> db.updateFlags(k("c"), FlagsOp.SET_KEY_LOCKED));
        Thread.sleep(100);
        assertFalse(fresh.isDone(), "a new lock went ahead without the write lock");
      }
      fresh.get(10, TimeUnit.SECONDS);
      assertTrue(db.getFlags(k("a")).has(KeyFlag.KEY_LOCKED));
      assertTrue(db.getFlags(k("c")).has(KeyFlag.KEY_LOCKED));
      assertEquals(3, db.keyCount());
      assertArrayEquals(k("1"), db.get(k("a")));
    }
  }

  @Test
  void anUpdateThatChangesFlagsStillWaits() throws Exception {
    try (MemDB db = MemDB.create()) {
      db.set(k("a"), k("1"), FlagsOp.SET_KEY_LOCKED);
      CompletableFuture<Void> unlock;
      try (HeldLock held = new HeldLock(db)) {
        unlock = CompletableFuture.runAsync(() -> db.updateFlags(k("a"), FlagsOp.DEL_KEY_LOCKED));
        Thread.sleep(100);
        assertFalse(unlock.isDone(), "an unlock went ahead without the write lock");
      }
      unlock.get(10, TimeUnit.SECONDS);
      assertFalse(db.getFlags(k("a")).has(KeyFlag.KEY_LOCKED));
    }
  }

  /**
   * A key with only non-persistent flags, written in a stage, leaves the buffer clean; the same
   * update with no stage open must make it dirty, so it is not answered by the read.
   */
  @Test
  void aRepeatedUpdateOfNonPersistentFlagsStillMarksTheBufferDirty() {
    try (MemDB db = MemDB.create()) {
      int h = db.staging();
      db.updateFlags(k("a"), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
      db.release(h);
      assertFalse(db.isDirty(), "a non-persistent flag written in a stage");
      db.updateFlags(k("a"), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
      assertTrue(db.isDirty(), "a write with no stage open makes the buffer dirty");
    }
  }

  @Test
  void relockingAfterDiscardValuesStillFails() {
    try (MemDB db = MemDB.create()) {
      db.set(k("a"), k("1"), FlagsOp.SET_KEY_LOCKED);
      db.discardValues();
      assertThrows(
          IllegalStateException.class, () -> db.updateFlags(k("a"), FlagsOp.SET_KEY_LOCKED));
    }
  }

  @Test
  void relockingFromAVisitorStillFails() {
    try (MemDB db = MemDB.create()) {
      int h = db.staging();
      db.set(k("a"), k("1"), FlagsOp.SET_KEY_LOCKED);
      assertThrows(
          IllegalStateException.class,
          () ->
              db.inspectStage(
                  h, (key, flags, value) -> db.updateFlags(key, FlagsOp.SET_KEY_LOCKED)));
      assertTrue(db.getFlags(k("a")).has(KeyFlag.KEY_LOCKED));
    }
  }

  @Test
  void nullOpsAreStillRejected() {
    try (MemDB db = MemDB.create()) {
      db.set(k("a"), k("1"), FlagsOp.SET_KEY_LOCKED);
      assertThrows(NullPointerException.class, () -> db.updateFlags(k("a"), (FlagsOp[]) null));
      assertThrows(
          NullPointerException.class, () -> db.updateFlags(k("a"), FlagsOp.SET_KEY_LOCKED, null));
    }
  }
}
