package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One writer inserting new keys (forcing many block enlargements of both arenas, plus stage
 * cleanups that free value blocks) beside one reader. Asserts only correctness, never timing;
 * prints the reader's throughput alone and beside the writer. Duration per phase: {@code
 * -Dmemdb.smoke.seconds=N} (default 3).
 */
class ConcurrentSmokeTest {
  private static final int PREFILL = 1_000_000;
  private static final int WRITER_NEW_KEYS = 3_000_000;
  private static final byte PREFILLED = 'P';
  private static final byte WRITTEN = 'W';

  private static long seconds() {
    return Long.getLong("memdb.smoke.seconds", 3);
  }

  /** A 16-byte key: a tag byte, then a big-endian long, then zeros. */
  static byte[] key(byte tag, long n) {
    return ByteBuffer.allocate(16).put(tag).putLong(n).array();
  }

  /** The one value ever written for (tag, n): 32 to 128 bytes derived from the key. */
  static byte[] value(byte tag, long n) {
    long h = (n * 0x9E3779B97F4A7C15L) ^ tag;
    byte[] v = new byte[32 + (int) Long.remainderUnsigned(h, 97)];
    for (int i = 0; i < v.length; i++) {
      h = h * 6364136223846793005L + 1442695040888963407L;
      v[i] = (byte) (h >>> 56);
    }
    ByteBuffer.wrap(v).put(tag).putLong(n); // the value names its key
    return v;
  }

  private static MemDB prefilled() {
    MemDB db = MemDB.create();
    for (int i = 0; i < PREFILL; i++) {
      db.set(key(PREFILLED, i), value(PREFILLED, i));
    }
    return db;
  }

  /** Inserts new keys, then re-writes them inside stages it cleans up; values never change. */
  private static Thread writer(
      MemDB db, AtomicBoolean stop, AtomicLong written, AtomicReference<Throwable> error) {
    Thread t =
        new Thread(
            () -> {
              try {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long n = 0;
                int inStage = 0;
                while (!stop.get()) {
                  if (n < WRITER_NEW_KEYS) {
                    db.set(key(WRITTEN, n), value(WRITTEN, n));
                    written.set(++n);
                    if (n % 7 == 0) {
                      db.updateFlags(key(PREFILLED, rnd.nextInt(PREFILL)), FlagsOp.SET_KEY_LOCKED);
                      db.updateFlags(key(WRITTEN, n - 1), FlagsOp.SET_KEY_LOCKED);
                    }
                  } else {
                    if (inStage == 0) {
                      db.staging();
                    }
                    long m = rnd.nextLong(n);
                    db.set(key(WRITTEN, m), value(WRITTEN, m));
                    if (++inStage == 20_000) {
                      db.cleanup(1); // frees the value blocks the stage grew
                      inStage = 0;
                    }
                  }
                }
              } catch (Throwable e) {
                error.compareAndSet(null, e);
              }
            },
            "memdb-writer");
    t.start();
    return t;
  }

  /** Gets while {@code go} holds; returns gets done. Counts wrong answers in {@code wrong}. */
  private static long readWhile(
      MemDB db,
      java.util.function.BooleanSupplier go,
      AtomicLong written,
      List<String> wrong,
      boolean alsoWriterKeys) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    long ops = 0;
    while ((ops & 1023) != 0 || go.getAsBoolean()) {
      int p = rnd.nextInt(PREFILL);
      byte[] v = db.get(key(PREFILLED, p));
      if (!Arrays.equals(value(PREFILLED, p), v)) {
        record(wrong, "prefilled key " + p + " read " + TestKeys.hex(v));
      }
      if (alsoWriterKeys) {
        long w = rnd.nextLong(WRITER_NEW_KEYS + 1000L);
        boolean mustExist = w < written.get();
        byte[] x = db.get(key(WRITTEN, w));
        if (x == null ? mustExist : !Arrays.equals(value(WRITTEN, w), x)) {
          record(wrong, "writer key " + w + " (written " + mustExist + ") read " + TestKeys.hex(x));
        }
      }
      ops++;
    }
    return ops;
  }

  private static void record(List<String> wrong, String what) {
    synchronized (wrong) {
      if (wrong.size() < 20) {
        wrong.add(what);
      }
    }
  }

  @Test
  void pointReadsBesideAGrowingWriter() throws Exception {
    try (MemDB db = prefilled()) {
      long nanos = seconds() * 1_000_000_000L;
      AtomicLong written = new AtomicLong();
      List<String> wrong = new ArrayList<>();
      long t0 = System.nanoTime();
      long soloOps = readWhile(db, () -> System.nanoTime() - t0 < nanos, written, wrong, false);
      double solo = soloOps * 1e9 / (System.nanoTime() - t0);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> error = new AtomicReference<>();
      MemDBStats start = db.stats();
      Thread w = writer(db, stop, written, error);
      double beside;
      try {
        // The share is measured on gets of prefilled keys while the writer inserts new keys (the
        // seed race's scenario); afterwards the reader also checks the writer's own keys while the
        // writer rewrites them in stages it rolls back.
        long t1 = System.nanoTime();
        long besideOps =
            readWhile(
                db,
                () -> written.get() < WRITER_NEW_KEYS && System.nanoTime() - t1 < nanos,
                written,
                wrong,
                false);
        beside = besideOps * 1e9 / (System.nanoTime() - t1);
        long t2 = System.nanoTime();
        readWhile(db, () -> System.nanoTime() - t2 < nanos, written, wrong, true);
      } finally {
        stop.set(true);
        w.join();
      }
      MemDBStats end = db.stats();
      System.out.printf(
          "reader solo %.0f ops/s, beside an inserting writer %.0f ops/s, share %.1f %% (writer wrote"
              + " %d new keys; node arena %d -> %d bytes, value blocks %d -> %d; read retries %d,"
              + " fallbacks %d)%n",
          solo,
          beside,
          100 * beside / solo,
          written.get(),
          start.nodes().bytesAllocated(),
          end.nodes().bytesAllocated(),
          start.values().blocks(),
          end.values().blocks(),
          end.readRetries(),
          end.readFallbacks());
      assertNull(error.get(), () -> "writer failed: " + error.get());
      assertEquals(List.of(), wrong, "wrong answers");
      assertTrue(
          end.nodes().bytesAllocated() > start.nodes().bytesAllocated() || written.get() == 0,
          "the node arena moved to larger blocks under the reader");
      for (int i = 0; i < PREFILL; i += 997) {
        assertEquals(TestKeys.hex(value(PREFILLED, i)), TestKeys.hex(db.get(key(PREFILLED, i))));
      }
    }
  }

  @Test
  void ascendingIteratorBesideAGrowingWriter() throws Exception {
    try (MemDB db = prefilled()) {
      AtomicLong written = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> error = new AtomicReference<>();
      List<String> wrong = new ArrayList<>();
      Thread w = writer(db, stop, written, error);
      int scans = 0;
      try {
        long end = System.nanoTime() + seconds() * 1_000_000_000L;
        while (scans == 0 || System.nanoTime() < end) {
          scan(db, wrong);
          scans++;
        }
      } finally {
        stop.set(true);
        w.join();
      }
      System.out.printf(
          "ascending iterator: %d full scans beside the writer (%d keys written)%n",
          scans, written.get());
      assertNull(error.get(), () -> "writer failed: " + error.get());
      assertEquals(List.of(), wrong, "wrong iterations");
    }
  }

  /**
   * One full ascending scan: strictly increasing keys, each prefilled key exactly once, right
   * values.
   */
  private static void scan(MemDB db, List<String> wrong) {
    byte[] prev = null;
    long nextPrefilled = 0;
    try (MemDBIterator it = db.iterator(null, null)) {
      for (; it.valid(); it.next()) {
        byte[] k = it.key();
        byte[] v = it.value();
        if (prev != null && Arrays.compareUnsigned(prev, k) >= 0) {
          record(wrong, "not increasing: " + TestKeys.hex(prev) + " then " + TestKeys.hex(k));
        }
        prev = k;
        ByteBuffer bb = ByteBuffer.wrap(k);
        byte tag = bb.get();
        long n = bb.getLong();
        if (tag == PREFILLED) {
          if (n != nextPrefilled) {
            record(wrong, "prefilled key " + n + " where " + nextPrefilled + " was expected");
          }
          nextPrefilled = n + 1;
        }
        if (!Arrays.equals(value(tag, n), v)) {
          record(wrong, "key " + TestKeys.hex(k) + " has value " + TestKeys.hex(v));
        }
      }
    }
    if (nextPrefilled != PREFILL) {
      record(wrong, "scan ended after prefilled key " + (nextPrefilled - 1));
    }
  }
}
