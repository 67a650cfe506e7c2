package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.memdb.internal.arena.BlockAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, faults: an allocation failure injected inside the arenas (through the package-private
 * seam {@code MemDB.create(MemDBOptions, BlockAllocator)}) at every block allocation of a workload
 * — node-arena moves to a larger block, value blocks (after the node arena moved: it moves back),
 * enlargements after a stage cleanup freed blocks — must fail the call with the allocator's error,
 * leave the buffer exactly as before (keys, values, flags, counts, data size, dirty, depth,
 * footprint, stats) and let later calls work. And {@code close()} while readers, iterators and a
 * writer run on other threads: they all end with {@code IllegalStateException("MemDB is closed")},
 * and every block the buffer allocated is freed.
 */
class FaultInjectionTest {
  static final MemDBOptions TINY =
      MemDBOptions.builder().initialBlockSize(64).maxBlockSize(1024).build();

  /** Counts allocations and frees; throws OutOfMemoryError on the allocation numbered failAt. */
  static final class FaultyAllocator implements BlockAllocator {
    final BlockAllocator delegate = BlockAllocator.sharedArenas();
    final AtomicLong allocations = new AtomicLong();
    final AtomicLong frees = new AtomicLong();
    final AtomicLong liveBytes = new AtomicLong();
    final Set<Block> live = ConcurrentHashMap.newKeySet();
    volatile long failAt = -1;
    volatile boolean failed;

    @Override
    public Block allocate(long bytes) {
      long n = allocations.incrementAndGet();
      if (n == failAt) {
        failed = true;
        allocations.decrementAndGet();
        failAt = -1;
        throw new OutOfMemoryError("injected: allocation #" + n + " of " + bytes + " bytes");
      }
      Block b = delegate.allocate(bytes);
      live.add(b);
      liveBytes.addAndGet(bytes);
      return b;
    }

    @Override
    public void free(Block block) {
      assertTrue(live.remove(block), "a block freed twice or not ours");
      frees.incrementAndGet();
      liveBytes.addAndGet(-block.segment().byteSize());
      delegate.free(block);
    }
  }

  static byte[] key(int i) {
    return ByteBuffer.allocate(6).put((byte) 'k').put((byte) (i % 3)).putInt(i).array();
  }

  static byte[] value(int i, int version) {
    byte[] v = new byte[1 + (i * 7 + version * 13) % 90];
    Arrays.fill(v, (byte) (i + version));
    return v;
  }

  /** A workload of writes of every kind, stage operations included, from a fixed seed. */
  static List<Consumer<MemDB>> workload(long seed, int length) {
    Random rnd = new Random(seed);
    List<Consumer<MemDB>> ops = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      int k = rnd.nextInt(300);
      int ver = rnd.nextInt(4);
      int r = rnd.nextInt(100);
      if (r < 45) {
        ops.add(db -> db.set(key(k), value(k, ver)));
      } else if (r < 55) {
        ops.add(db -> db.set(key(k), value(k, ver), FlagsOp.SET_KEY_LOCKED));
      } else if (r < 62) {
        ops.add(db -> db.delete(key(k)));
      } else if (r < 70) {
        ops.add(db -> db.updateFlags(key(k), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS));
      } else if (r < 80) {
        ops.add(
            db -> {
              if (db.stagingDepth() < 4) {
                db.staging();
              }
            });
      } else if (r < 88) {
        ops.add(db -> db.release(db.stagingDepth()));
      } else {
        ops.add(db -> db.cleanup(db.stagingDepth()));
      }
    }
    return ops;
  }

  record Full(TestKeys.State state, MemDBStats stats) {}

  static Full full(MemDB db) {
    return new Full(TestKeys.capture(db), db.stats());
  }

  /**
   * For every allocation the workload makes, a run in which exactly that allocation fails, in
   * lockstep with a reference buffer that never fails.
   */
  @Test
  void everyAllocationOfAWorkloadFailsCleanly() {
    List<Consumer<MemDB>> ops = workload(3, 1500);
    FaultyAllocator probe = new FaultyAllocator();
    try (MemDB db = MemDB.create(TINY, probe)) {
      ops.forEach(op -> op.accept(db));
    }
    long total = probe.allocations.get();
    assertTrue(total > 20, "the workload should enlarge the arenas many times, made " + total);
    assertEquals(probe.allocations.get(), probe.frees.get(), "close frees every block");

    // Which ops run after a stage cleanup freed value blocks (for the report).
    boolean[] afterCleanup = new boolean[ops.size()];
    try (MemDB db = MemDB.create(TINY, BlockAllocator.sharedArenas())) {
      boolean seen = false;
      for (int i = 0; i < ops.size(); i++) {
        afterCleanup[i] = seen;
        long before = db.memoryFootprint();
        ops.get(i).accept(db);
        if (db.memoryFootprint() < before) {
          seen = true; // a cleanup gave blocks back
        } else if (db.memoryFootprint() > before) {
          seen = false;
        }
      }
    }
    int cleanupBefore = 0;
    for (long failAt = 1; failAt <= total; failAt++) {
      FaultyAllocator alloc = new FaultyAllocator();
      alloc.failAt = failAt;
      try (MemDB db = MemDB.create(TINY, alloc);
          MemDB ref = MemDB.create(TINY, BlockAllocator.sharedArenas())) {
        for (int i = 0; i < ops.size(); i++) {
          Consumer<MemDB> op = ops.get(i);
          boolean wasFailed = alloc.failed;
          try {
            op.accept(db);
          } catch (OutOfMemoryError e) {
            assertFalse(wasFailed, "only one injected failure per run");
            assertTrue(e.getMessage().startsWith("injected: allocation #" + failAt), e::getMessage);
            assertEquals(
                full(ref), full(db), "state after failed op " + i + " (allocation " + failAt + ")");
            if (i > 0 && afterCleanup[i]) {
              cleanupBefore++; // the enlargement right after a cleanup
            }
            op.accept(db); // later calls work: the same call succeeds now
          }
          op.accept(ref);
        }
        assertTrue(alloc.failed, "allocation " + failAt + " was reached");
        assertEquals(full(ref), full(db), "final state, failure at allocation " + failAt);
      }
      assertEquals(
          alloc.allocations.get(), alloc.frees.get(), "blocks leaked, failure at " + failAt);
      assertEquals(0, alloc.liveBytes.get());
    }
    System.out.printf(
        "fault injection: %d allocation points failed and recovered (%d right after a stage cleanup)%n",
        total, cleanupBefore);
  }

  /** The three named cases, each asserted directly. */
  @Test
  void nodeBlockValueBlockAndAfterCleanup() {
    FaultyAllocator alloc = new FaultyAllocator();
    try (MemDB db = MemDB.create(TINY, alloc)) {
      int n = 0;
      // Fill until the next insert needs a new block in both arenas.
      while (true) {
        long before = alloc.allocations.get();
        Full s = full(db);
        alloc.failAt = before + 1; // the node arena's larger block (allocated first)
        try {
          db.set(key(n), value(n, 500));
          alloc.failAt = -1;
          n++;
          continue;
        } catch (OutOfMemoryError e) {
          assertEquals(s, full(db), "after a failed node block");
        }
        long freesBefore = alloc.frees.get();
        alloc.failAt = before + 2; // value block, after the node block was had
        try {
          db.set(key(n), value(n, 500));
          alloc.failAt = -1;
          n++; // only the node arena grew this time; try the next key
          continue;
        } catch (OutOfMemoryError e) {
          assertEquals(s, full(db), "after a failed value block (node arena moved back)");
          assertEquals(before + 1, alloc.allocations.get(), "one block was had");
          assertEquals(freesBefore + 1, alloc.frees.get(), "and given back");
        }
        break;
      }
      db.set(key(n), value(n, 500));
      assertEquals(TestKeys.hex(value(n, 500)), TestKeys.hex(db.get(key(n))));

      // Around a stage cleanup: the cleanup itself allocates nothing; it frees the stage's value
      // blocks, and the enlargement that follows can fail cleanly.
      int h = db.staging();
      for (int i = 0; i < 40; i++) {
        db.set(key(1000 + i), value(i, 700));
      }
      long allocs = alloc.allocations.get();
      long frees = alloc.frees.get();
      db.cleanup(h);
      assertEquals(allocs, alloc.allocations.get(), "cleanup allocates nothing");
      assertTrue(alloc.frees.get() > frees, "cleanup gave the stage's blocks back");
      Full s = full(db);
      alloc.failAt = alloc.allocations.get() + 1;
      int h2 = db.staging();
      assertThrows(OutOfMemoryError.class, () -> db.set(key(2000), value(3, 900)));
      db.cleanup(h2);
      assertEquals(s, full(db));
      db.set(key(2000), value(3, 900));
      assertNotNull(db.get(key(2000)));
    }
    assertEquals(alloc.allocations.get(), alloc.frees.get());
  }

  /**
   * close() while two readers, an iterator and a writer run: each ends with exactly
   * IllegalStateException("MemDB is closed"); nothing else is thrown, no value is wrong, and every
   * block is freed once they are out.
   */
  @Test
  void closeUnderLoad() throws Exception {
    for (int round = 0; round < 6; round++) {
      FaultyAllocator alloc = new FaultyAllocator();
      MemDB db =
          MemDB.create(
              MemDBOptions.builder().initialBlockSize(1024).maxBlockSize(64 << 10).build(), alloc);
      int keys = 20_000;
      for (int i = 0; i < keys; i++) {
        db.set(key(i), value(i, 0));
      }
      List<Throwable> wrong = new ArrayList<>();
      AtomicLong reads = new AtomicLong();
      CountDownLatch started = new CountDownLatch(4);
      List<Thread> threads = new ArrayList<>();
      Runnable[] bodies = {
        () -> { // point reader
          Random r = new Random();
          started.countDown();
          while (true) {
            int i = r.nextInt(keys);
            byte[] v = db.get(key(i));
            if (!Arrays.equals(value(i, 0), v)) {
              throw new AssertionError("key " + i + " read " + TestKeys.hex(v));
            }
            db.getFlags(key(i));
            reads.incrementAndGet();
          }
        },
        () -> { // flags reader and counters
          Random r = new Random();
          started.countDown();
          while (true) {
            db.getFlags(key(r.nextInt(keys)));
            db.keyCount();
            db.isDirty();
            reads.incrementAndGet();
          }
        },
        () -> { // iterators, ascending and descending
          started.countDown();
          for (boolean asc = true; ; asc = !asc) {
            try (MemDBIterator it =
                asc ? db.iterator(null, null) : db.descendingIterator(null, null)) {
              for (; it.valid(); it.next()) {
                it.key();
                it.value();
                reads.incrementAndGet();
              }
            }
          }
        },
        () -> { // writer: new keys (enlargements) inside stages it cleans up
          started.countDown();
          for (int i = 0; ; i++) {
            int h = db.staging();
            db.set(key(keys + i), value(i, 1));
            if (i % 64 == 0) {
              db.cleanup(h);
            } else {
              db.release(h);
            }
          }
        }
      };
      for (Runnable body : bodies) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    body.run();
                  } catch (IllegalStateException e) {
                    if (!"MemDB is closed".equals(e.getMessage())) {
                      synchronized (wrong) {
                        wrong.add(e);
                      }
                    }
                  } catch (Throwable e) {
                    synchronized (wrong) {
                      wrong.add(e);
                    }
                  }
                });
        t.start();
        threads.add(t);
      }
      started.await();
      Thread.sleep(50 + 40L * round);
      db.close();
      for (Thread t : threads) {
        t.join(30_000);
        if (t.isAlive()) {
          fail("a thread did not end after close: " + Arrays.toString(t.getStackTrace()));
        }
      }
      if (!wrong.isEmpty()) {
        AssertionError e = new AssertionError("unexpected outcomes after close: " + wrong);
        wrong.forEach(e::addSuppressed);
        throw e;
      }
      assertThrows(IllegalStateException.class, () -> db.get(key(1)));
      db.close(); // idempotent
      assertTrue(alloc.allocations.get() > 2);
      assertEquals(alloc.allocations.get(), alloc.frees.get(), "every block freed after close");
      assertEquals(0, alloc.liveBytes.get());
      assertTrue(alloc.live.isEmpty());
      assertTrue(reads.get() > 0);
    }
  }
}
