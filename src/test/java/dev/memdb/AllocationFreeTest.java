package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate nothing on the Java heap: writes, reads into a caller's buffer and flag
 * reads; {@code get(byte[])} allocates only the array it returns, a range scan only its cursor.
 * Measured with the JVM's own per-thread allocation counter, after the paths have run often enough
 * to be compiled.
 */
class AllocationFreeTest {
  private static final int N = 50_000;
  private static final int SCANS = 2_000;
  // com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes, reached reflectively: the
  // test sources compile inside the dev.memdb module, which does not read java.management.
  private static final MethodHandle ALLOCATED = allocatedBytesHandle();

  private static MethodHandle allocatedBytesHandle() {
    try {
      Object threads =
          Class.forName("java.lang.management.ManagementFactory")
              .getMethod("getThreadMXBean")
              .invoke(null);
      return MethodHandles.publicLookup()
          .findVirtual(
              Class.forName("com.sun.management.ThreadMXBean"),
              "getCurrentThreadAllocatedBytes",
              MethodType.methodType(long.class))
          .bindTo(threads);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("this test needs HotSpot's per-thread allocation counter", e);
    }
  }

  private static long allocated() {
    try {
      return (long) ALLOCATED.invokeExact();
    } catch (Throwable e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void hotPathsAllocateNothingOnTheHeap() {
    byte[][] keys = new byte[N][];
    for (int i = 0; i < N; i++) {
      keys[i] = ByteBuffer.allocate(16).putInt(i * 7919).array();
    }
    byte[] value = new byte[128];
    byte[] dst = new byte[128];
    try (MemDB db = MemDB.create();
        Arena arena = Arena.ofConfined()) {
      MemorySegment key = arena.allocate(16);
      MemorySegment valueSegment = arena.allocate(128);
      MemorySegment dstSegment = arena.allocate(128);
      long[] perOp = new long[11];
      long freshBlocks = 0;
      for (int round = 0; round < 4; round++) { // the last round counts: by then all is compiled
        long sum = 0;
        long t;
        try (MemDB fresh =
            MemDB.create()) { // new keys in scrambled order: full descents and rebalancing
          t = allocated();
          for (int i = 0; i < N; i++) {
            fresh.set(keys[(int) ((i * 40_503L) % N)], value);
          }
          perOp[6] = allocated() - t;
          MemDBStats stats = fresh.stats();
          // The node arena grows by moving to a block twice as large: count its moves.
          long nodeMoves =
              Long.numberOfTrailingZeros(stats.nodes().bytesAllocated())
                  - Long.numberOfTrailingZeros(MemDBOptions.DEFAULT_INITIAL_BLOCK_SIZE)
                  + 1;
          freshBlocks = nodeMoves + stats.values().blocks();
        }
        t = allocated();
        for (byte[] k : keys) {
          db.set(k, value);
        }
        perOp[0] = allocated() - t;
        t = allocated();
        for (byte[] k : keys) {
          sum += db.get(k, dst);
        }
        perOp[1] = allocated() - t;
        t = allocated();
        for (byte[] k : keys) {
          MemorySegment.copy(k, 0, key, ValueLayout.JAVA_BYTE, 0, k.length);
          db.set(key, valueSegment);
        }
        perOp[2] = allocated() - t;
        t = allocated();
        for (byte[] k : keys) {
          MemorySegment.copy(k, 0, key, ValueLayout.JAVA_BYTE, 0, k.length);
          sum += db.get(key, dstSegment);
        }
        perOp[3] = allocated() - t;
        t = allocated();
        for (byte[] k : keys) {
          sum += db.getFlags(k).bits();
        }
        perOp[4] = allocated() - t;
        t = allocated();
        for (byte[] k : keys) {
          sum += db.get(k).length;
        }
        perOp[5] = allocated() - t;
        assertEquals(N * 128L * 3, sum, "every read found its value");
        Snapshot snapshot = db.snapshot(); // no stage open: as of now
        t = allocated();
        for (byte[] k : keys) {
          sum += snapshot.get(k, dst);
        }
        perOp[8] = allocated() - t;
        t = allocated();
        for (byte[] k : keys) {
          sum += snapshot.getFlags(k).bits();
        }
        perOp[9] = allocated() - t;
        // Range scans: open an iterator, copy 100 keys and values into the caller's arrays.
        byte[] keyDst = new byte[16];
        t = allocated();
        for (int i = 0; i < SCANS; i++) {
          try (MemDBIterator it = db.iterator(keys[i], null)) {
            for (int j = 0; j < 100 && it.valid(); j++, it.next()) {
              sum += it.key(keyDst) + it.value(dst);
            }
          }
        }
        perOp[7] = allocated() - t;
        // An exclusive visit of every key, each key and value copied into the caller's arrays.
        long[] visited = new long[1];
        EntryViewVisitor copying = e -> visited[0] += e.key(keyDst) + e.value(dst);
        t = allocated();
        db.forEachExclusive(null, null, copying);
        perOp[10] = allocated() - t;
        assertEquals(N * (16L + 128), visited[0], "the visit copied every entry");
      }
      // A few bytes of slack per thousand operations for one-off JIT or JFR bookkeeping.
      long slack = N / 1000 * 16;
      assertTrue(perOp[0] <= slack, "set(byte[], byte[]) allocated " + perOp[0] + " bytes");
      // Growing an arena by a block republishes its small tables: a few hundred bytes per block.
      assertTrue(
          perOp[6] <= slack + freshBlocks * 512,
          "inserting new keys in random order allocated "
              + perOp[6]
              + " bytes for "
              + freshBlocks
              + " blocks");
      assertTrue(perOp[1] <= slack, "get(byte[], byte[]) allocated " + perOp[1] + " bytes");
      assertTrue(
          perOp[2] <= slack, "set(MemorySegment, MemorySegment) allocated " + perOp[2] + " bytes");
      assertTrue(
          perOp[3] <= slack, "get(MemorySegment, MemorySegment) allocated " + perOp[3] + " bytes");
      assertTrue(perOp[4] <= slack, "getFlags allocated " + perOp[4] + " bytes");
      assertTrue(
          perOp[8] <= slack, "Snapshot.get(byte[], byte[]) allocated " + perOp[8] + " bytes");
      assertTrue(perOp[9] <= slack, "Snapshot.getFlags allocated " + perOp[9] + " bytes");
      // The cursor object, its copy of the bound and the bound's segment for the first descent;
      // the read-ahead buffers are the last iterator's, kept by the buffer (they took about 40 KiB
      // per scan
      // without it).
      assertTrue(
          perOp[7] <= SCANS * 256L,
          "a 100-entry scan allocated " + perOp[7] / SCANS + " bytes, more than its cursor");
      // Its view, once per visit; nothing per entry.
      assertTrue(
          perOp[10] <= 256 + slack,
          "an exclusive visit of " + N + " entries allocated " + perOp[10] + " bytes");
      long arrayBytes = 16 + 128; // header + the returned value
      assertTrue(
          perOp[5] <= N * arrayBytes + slack,
          "get(byte[]) allocated " + perOp[5] + " bytes, more than its results");
    }
  }
}
