package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memdb.FaultInjectionTest.FaultyAllocator;
import dev.memdb.MemDBStats.ArenaStats;
import dev.memdb.internal.arena.BlockAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, items 1 and 2: blocks prepared ahead on the preparer thread and the node block moved
 * over many writes. Through the test seam {@code MemDB.create(options, allocator, maxIndexBytes,
 * minAhead)} small blocks are prepared too, so a workload of a few thousand keys moves its node
 * block many times, in several steps each, while stages are cleaned up and readers run.
 *
 * <p>Checked: contents against a model after every batch (and, with {@code -ea}, every finished
 * move compares the two blocks byte for byte); accounting after every operation (the footprint is
 * the sum of the arenas' bytes allocated, bytes held ahead are part of it, the footprint listener
 * agrees); a failed write leaves the contents as they were with preparation on; and every block,
 * prepared ones included, goes back to the allocator after close.
 */
class BlockPreparationTest {
  private static final MemDBOptions SMALL =
      MemDBOptions.builder()
          .initialBlockSize(4096)
          .maxBlockSize(64 << 10)
          .prepareAheadBytes(8 << 20)
          .build();

  /** The smallest block the tests prepare ahead: every block of {@link #SMALL} is prepared. */
  private static final long MIN_AHEAD = 64;

  private static MemDB prepared(MemDBOptions options, BlockAllocator allocator) {
    return MemDB.create(options, allocator, IndexTooLargeException.MAX_INDEX_BYTES, MIN_AHEAD);
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(8).putInt(i * 0x9E3779B1).putInt(i).array();
  }

  private static byte[] value(Random rnd) {
    byte[] v = new byte[1 + rnd.nextInt(40)];
    rnd.nextBytes(v);
    return v;
  }

  /** Footprint and stats agree; what is held ahead is part of what is allocated. */
  private static void assertAccounted(MemDB db, String where) {
    MemDBStats s = db.stats();
    for (ArenaStats a : List.of(s.nodes(), s.values())) {
      assertTrue(a.bytesAhead() >= 0 && a.bytesAhead() <= a.bytesAllocated(), where + ": " + a);
      assertTrue(a.bytesUsed() <= a.bytesAllocated() - a.bytesAhead(), where + ": " + a);
    }
    assertEquals(db.memoryFootprint(), s.memoryFootprint(), where + ": footprint vs stats");
    assertEquals(
        s.nodes().bytesAllocated() + s.values().bytesAllocated(),
        db.memoryFootprint(),
        where + ": footprint vs arenas");
  }

  /** Waits for the preparer thread to free what was dropped while it was still allocating. */
  private static void assertAllFreed(FaultyAllocator alloc) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (alloc.liveBytes.get() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, alloc.liveBytes.get(), "bytes still allocated after close");
    assertEquals(alloc.allocations.get(), alloc.frees.get(), "blocks leaked");
  }

  @Test
  void randomWorkloadWhileTheNodeBlockMovesStaysExact() throws Exception {
    long seed = Long.getLong("memdb.seed", System.nanoTime());
    Random rnd = new Random(seed);
    FaultyAllocator alloc = new FaultyAllocator();
    AtomicLong footprintHeard = new AtomicLong();
    TreeMap<byte[], byte[]> golden = new TreeMap<>(Arrays::compareUnsigned);
    Deque<TreeMap<byte[], byte[]>> stages = new ArrayDeque<>();
    Deque<Integer> handles = new ArrayDeque<>();
    int movingSeen = 0;
    int aheadSeen = 0;
    // Keys below STABLE are written once before the readers start and never again.
    final int stable = 500;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    try (MemDB db = prepared(SMALL, alloc)) {
      db.setMemoryFootprintListener(footprintHeard::set);
      for (int i = 0; i < stable; i++) {
        byte[] v = ByteBuffer.allocate(4).putInt(i).array();
        db.set(key(i), v);
        golden.put(key(i), v);
      }
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    Random r = new Random(seed + 1);
                    try {
                      while (!stop.get()) {
                        int i = r.nextInt(stable);
                        assertArrayEquals(
                            ByteBuffer.allocate(4).putInt(i).array(), db.get(key(i)), "get");
                        try (MemDBIterator it = db.iterator(key(i), null)) {
                          assertTrue(it.valid());
                          assertArrayEquals(key(i), it.key(), "seek lands on a stable key");
                        }
                      }
                    } catch (Throwable t) {
                      readerFailure.set(t);
                    }
                  });
      try {
        for (int op = 0; op < 40_000; op++) {
          int k = stable + rnd.nextInt(12_000);
          int r = rnd.nextInt(100);
          if (r < 60) {
            byte[] v = value(rnd);
            db.set(key(k), v);
            golden.put(key(k), v);
          } else if (r < 75) {
            db.delete(key(k));
            golden.put(key(k), new byte[0]); // a tombstone
          } else if (r < 85) {
            db.updateFlags(key(k), FlagsOp.SET_KEY_LOCKED);
            golden.putIfAbsent(key(k), null);
          } else if (r < 90 && handles.size() < 3) {
            handles.push(db.staging());
            stages.push(new TreeMap<>(golden));
          } else if (r < 93 && !handles.isEmpty()) {
            db.release(handles.pop());
            stages.pop();
          } else if (r < 96 && !handles.isEmpty()) {
            db.cleanup(handles.pop());
            golden = stages.pop();
          }
          if (db.store().nodeArena().moving()) {
            movingSeen++;
          }
          MemDBStats s = db.stats();
          if (s.nodes().bytesAhead() + s.values().bytesAhead() > 0) {
            aheadSeen++;
          }
          assertAccounted(db, "after op " + op + ", seed " + seed);
          assertEquals(db.memoryFootprint(), footprintHeard.get(), "listener, seed " + seed);
          if (op % 4_000 == 3_999) {
            assertSameContents(db, golden, "op " + op + ", seed " + seed);
          }
        }
      } finally {
        stop.set(true);
        reader.join();
      }
      if (readerFailure.get() != null) {
        throw new AssertionError("reader failed, seed " + seed, readerFailure.get());
      }
      assertSameContents(db, golden, "end, seed " + seed);
      assertTrue(aheadSeen > 0, "no block was ever held ahead");
      assertTrue(movingSeen > 0, "the node block never moved over several writes");

      db.reset();
      assertEquals(0, db.memoryFootprint(), "reset frees the blocks held ahead too");
      assertAccounted(db, "after reset");
    }
    assertAllFreed(alloc);
  }

  /** Keys and values (null: flags only, empty: a tombstone) in order, and the tree's invariants. */
  private static void assertSameContents(MemDB db, TreeMap<byte[], byte[]> golden, String where) {
    TestKeys.checkTree(db);
    try (MemDBIterator it = db.iterator(null, null)) {
      for (var e : golden.entrySet()) {
        if (e.getValue() == null) {
          assertNull(db.get(e.getKey()), where);
          continue;
        }
        assertTrue(it.valid(), where + ": iterator ended early");
        assertArrayEquals(e.getKey(), it.key(), where);
        assertArrayEquals(e.getValue(), it.value(), where);
        assertArrayEquals(e.getValue(), db.get(e.getKey()), where);
        it.next();
      }
      assertFalse(it.valid(), where + ": iterator has more");
    }
  }

  /**
   * Close settles a preparation under way: the preparer thread is held inside its allocation when
   * the buffer closes, and every block is back with the allocator the moment close returns, without
   * waiting for the preparer.
   */
  @Test
  void closeFreesABlockStillBeingPrepared() throws Exception {
    FaultyAllocator counted = new FaultyAllocator();
    CountDownLatch allocating = new CountDownLatch(1);
    BlockAllocator slowAhead =
        new BlockAllocator() {
          @Override
          public Block allocate(long bytes) {
            Block b = counted.allocate(bytes);
            if (Thread.currentThread().getName().equals("memdb-block-preparer")) {
              allocating.countDown(); // the block exists; the preparation has not finished
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return b;
          }

          @Override
          public void free(Block block) {
            counted.free(block);
          }
        };
    MemDB db = prepared(SMALL, slowAhead);
    Random rnd = new Random(7);
    int i = 0;
    while (db.stats().nodes().bytesAhead() + db.stats().values().bytesAhead() == 0) {
      db.set(key(i++), value(rnd));
    }
    assertTrue(allocating.await(10, TimeUnit.SECONDS), "the preparer never started");
    db.close();
    assertEquals(0, counted.liveBytes.get(), "bytes still allocated when close returned");
    assertEquals(counted.allocations.get(), counted.frees.get(), "blocks not freed by close");
  }

  /**
   * Fault injection with preparation on: an injected failure hits either the preparer thread (which
   * gives up; the writer allocates itself) or the writer (the call fails, the contents stay as they
   * were, the same call works afterwards). In lockstep with a buffer that prepares nothing.
   */
  @Test
  void failedAllocationsWithPreparationOnLeaveTheContentsAsTheyWere() throws Exception {
    MemDBOptions tiny = FaultInjectionTest.TINY.toBuilder().prepareAheadBytes(1 << 20).build();
    List<Consumer<MemDB>> ops = FaultInjectionTest.workload(11, 1500);
    FaultyAllocator probe = new FaultyAllocator();
    try (MemDB db = prepared(tiny, probe)) {
      ops.forEach(op -> op.accept(db));
    }
    assertAllFreed(probe);
    long total = probe.allocations.get();
    assertTrue(total > 20, "the workload should allocate many blocks, made " + total);
    int writerFailures = 0;
    for (long failAt = 1; failAt <= total; failAt++) {
      FaultyAllocator alloc = new FaultyAllocator();
      alloc.failAt = failAt;
      try (MemDB db = prepared(tiny, alloc);
          MemDB ref = MemDB.create(FaultInjectionTest.TINY, BlockAllocator.sharedArenas())) {
        for (int i = 0; i < ops.size(); i++) {
          Consumer<MemDB> op = ops.get(i);
          try {
            op.accept(db);
          } catch (OutOfMemoryError e) {
            writerFailures++;
            assertEquals(
                contents(ref),
                contents(db),
                "after failed op " + i + " (allocation " + failAt + ")");
            assertAccounted(db, "after failed op " + i);
            op.accept(db);
          }
          op.accept(ref);
          assertAccounted(db, "op " + i + ", failure at " + failAt);
        }
        assertEquals(contents(ref), contents(db), "final state, failure at " + failAt);
      }
      assertAllFreed(alloc);
    }
    assertTrue(writerFailures > 0, "no injected failure reached a write");
    System.out.printf(
        "preparation on: %d allocation points failed, %d of them in a write%n",
        total, writerFailures);
  }

  /** Contents and counters; the footprint is left out (the blocks held ahead differ). */
  private static List<Object> contents(MemDB db) {
    TestKeys.State s = TestKeys.capture(db);
    return List.of(s.entries(), s.keyCount(), s.dataSize(), s.dirty(), s.depth());
  }
}
