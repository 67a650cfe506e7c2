package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The seed race as a stress test (issue 3): TiDB's UNION of {@code SELECT … FOR UPDATE} over one
 * transaction's buffer. Several threads each do {@code get} then {@code
 * updateFlags(SET_KEY_LOCKED)} on their own and on shared keys (the lock is a write, serialized
 * inside the buffer, as in TiDB), while a writer inserts new keys (block enlargements of both
 * arenas, rotations) and opens, releases and cleans up stages, and an iterator thread scans ranges
 * both ways (one scan in 16 an exclusive visit under the write lock, checked like an iterator).
 *
 * <p>Checks: no exception at all; no value that was never written (values encode their key and a
 * version, validated against what the writer had started to write); no key lost once its insert
 * returned; locks never lost; iterators strictly ordered, every key present throughout a scan
 * returned exactly once; at the end of each episode the buffer equals a sequential replay of the
 * write log (every write of every thread, logged in the order the buffer serialized them).
 *
 * <p>Runs in episodes with a fresh buffer each, for {@code -Dmemdb.stress.seconds} (default 5; the
 * {@code -Pstress} run passes more): in every period of twice {@code memdb.stress.episodeSeconds}
 * (default 10), the first half in episodes of 200 ms, the second in one long episode. The short
 * default run is {@link #seedScenarioShort()}; {@link #seedScenarioLong()} is tagged {@code
 * stress}.
 */
class SeedScenarioStressTest {
  private static final int READERS = 2;
  private static final int MAX_PERMANENT = 400_000;
  private static final byte PERMANENT = 'p';
  private static final byte STAGED = 's';
  private static final long SHORT_EPISODE_NANOS = 200_000_000L;

  @Test
  void seedScenarioShort() throws Exception {
    run(Long.getLong("memdb.stress.seconds", 5));
  }

  @Test
  @Tag("stress")
  void seedScenarioLong() throws Exception {
    run(Long.getLong("memdb.stress.seconds", 600));
  }

  // ------------------------------------------------------------------ keys and values

  static byte[] key(byte tag, long id) {
    return ByteBuffer.allocate(9).put(tag).putLong(id).array();
  }

  /** Value of (tag, id, version): 13-byte header naming them, then filler derived from them. */
  static byte[] value(byte tag, long id, int version) {
    long h = id * 0x9E3779B97F4A7C15L + version * 0xC2B2AE3D27D4EB4FL + tag;
    int length = 13 + (int) Long.remainderUnsigned(h, 4) * 8 + (version % 3 == 2 ? 40 : 0);
    byte[] v = new byte[length];
    ByteBuffer b = ByteBuffer.wrap(v).put(tag).putLong(id).putInt(version);
    while (b.hasRemaining()) {
      h = h * 6364136223846793005L + 1442695040888963407L;
      b.put((byte) (h >>> 56));
    }
    return v;
  }

  /** The version a value claims if it is exactly the value of (tag, id, that version), else -1. */
  static int versionOf(byte tag, long id, byte[] v) {
    if (v == null || v.length < 13) {
      return -1;
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    if (b.get() != tag || b.getLong() != id) {
      return -1;
    }
    int version = b.getInt();
    return version >= 0 && Arrays.equals(value(tag, id, version), v) ? version : -1;
  }

  // ------------------------------------------------------------------ the write log and its model

  /** One write, as the buffer serialized it. */
  record Op(char kind, byte[] key, byte[] value) {}

  /**
   * A sequential model of the buffer's observable state under set, delete, SET_KEY_LOCKED flag
   * writes and stages, written from the API contract (client-go semantics): rollback restores each
   * key's previous value; a key with no earlier value keeps only persistent flags, or disappears.
   */
  static final class Model {
    static final int LOCKED = KeyFlag.KEY_LOCKED.mask();

    static final class Entry {
      final ArrayDeque<long[]> history = new ArrayDeque<>(); // {record position}
      final ArrayDeque<byte[]> values = new ArrayDeque<>();
      int flags;
      boolean live;
    }

    final TreeMap<byte[], Entry> map = new TreeMap<>(Arrays::compareUnsigned);
    final List<Object[]> log = new ArrayList<>(); // {position, key}
    final List<Long> stageStarts = new ArrayList<>();
    long position;

    void apply(Op op) {
      switch (op.kind) {
        case 'S' -> stageStarts.add(position);
        case 'R' -> stageStarts.remove(stageStarts.size() - 1);
        case 'C' -> cleanup();
        case 'L' -> {
          Entry e = map.computeIfAbsent(op.key, k -> new Entry());
          e.live = true;
          e.flags |= LOCKED;
        }
        case 'D' -> write(op.key, new byte[0]);
        default -> write(op.key, op.value);
      }
    }

    private void write(byte[] key, byte[] value) {
      Entry e = map.computeIfAbsent(key, k -> new Entry());
      e.live = true;
      long innermost =
          stageStarts.isEmpty() ? Long.MIN_VALUE : stageStarts.get(stageStarts.size() - 1);
      byte[] current = e.values.peekLast();
      if (current != null
          && current.length == value.length
          && current.length > 0
          && e.history.peekLast()[0] > innermost) {
        e.values.removeLast();
        e.values.addLast(value); // overwritten in place: the same record
        return;
      }
      long p = ++position;
      e.history.addLast(new long[] {p});
      e.values.addLast(value);
      log.add(new Object[] {p, key});
    }

    private void cleanup() {
      long start = stageStarts.remove(stageStarts.size() - 1);
      while (!log.isEmpty() && (long) log.get(log.size() - 1)[0] > start) {
        byte[] key = (byte[]) log.remove(log.size() - 1)[1];
        Entry e = map.get(key);
        e.history.removeLast();
        e.values.removeLast();
        if (e.values.isEmpty()) {
          e.flags &= LOCKED; // only persistent flags survive
          e.live = e.flags != 0;
        }
      }
      position = start;
    }

    /** The same lines {@link #dump(MemDB)} makes. */
    List<String> dump() {
      List<String> out = new ArrayList<>();
      map.forEach(
          (k, e) -> {
            if (e.live) {
              byte[] v = e.values.peekLast();
              out.add(
                  TestKeys.hex(k)
                      + " flags="
                      + e.flags
                      + " value="
                      + (v == null ? "<none>" : TestKeys.hex(v)));
            }
          });
      return out;
    }

    long dataSize() {
      long s = 0;
      for (var en : map.entrySet()) {
        Entry e = en.getValue();
        if (e.live) {
          s += en.getKey().length + (e.values.isEmpty() ? 0 : e.values.peekLast().length);
        }
      }
      return s;
    }

    long keyCount() {
      return map.values().stream().filter(e -> e.live).count();
    }
  }

  static List<String> dump(MemDB db) {
    List<String> out = new ArrayList<>();
    try (MemDBIterator it = db.iteratorWithFlags(null, null)) {
      for (; it.valid(); it.next()) {
        out.add(
            TestKeys.hex(it.key())
                + " flags="
                + it.flags().bits()
                + " value="
                + (it.hasValue() ? TestKeys.hex(it.value()) : "<none>"));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ one episode

  static final class Totals {
    final AtomicLong gets = new AtomicLong();
    final AtomicLong locks = new AtomicLong();
    final AtomicLong iterated = new AtomicLong();
    final AtomicLong scans = new AtomicLong();
    final AtomicLong exclusiveScans = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong inserted = new AtomicLong();
    final AtomicLong cleanups = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong fallbacks = new AtomicLong();
    final AtomicLong nodeBlocks = new AtomicLong();
    final AtomicLong valueBlocks = new AtomicLong();
    final List<String> anomalies = new ArrayList<>();
    final AtomicInteger anomalyCount = new AtomicInteger();

    void anomaly(String what) {
      anomalyCount.incrementAndGet();
      synchronized (anomalies) {
        if (anomalies.size() < 30) {
          anomalies.add(what);
        }
      }
    }
  }

  static final class Episode {
    final MemDB db =
        MemDB.create(
            MemDBOptions.builder()
                .initialBlockSize(4096)
                .maxBlockSize(256 << 10)
                .rollbackChunkRecords(16) // cleanups let lockers in between short chunks
                .build());
    final ReentrantLock logLock = new ReentrantLock();
    final List<Op> log = new ArrayList<>();
    final AtomicIntegerArray started =
        new AtomicIntegerArray(MAX_PERMANENT); // highest version begun
    final AtomicInteger permanent = new AtomicInteger(); // ids below this were inserted for good
    final AtomicBoolean stop = new AtomicBoolean();
    final Totals totals;

    Episode(Totals totals) {
      this.totals = totals;
    }

    /**
     * A lock, made directly on the buffer as TiDB's lockers do, so it may go in between a cleanup's
     * chunks; logged afterwards. The log's order does not matter for locks: a lock commutes with
     * every write of this test (the lock flag is persistent, so a rollback keeps it, and a set or
     * delete keeps the flags).
     */
    void lockUnordered(byte[] key) {
      db.updateFlags(key, FlagsOp.SET_KEY_LOCKED);
      logLock.lock();
      try {
        log.add(new Op('L', key, null));
      } finally {
        logLock.unlock();
      }
    }

    /**
     * Every other write goes through here: the log records the order the buffer serialized them in.
     */
    void logged(Op op) {
      logLock.lock();
      try {
        switch (op.kind) {
          case 'S' -> db.staging();
          case 'R' -> db.release(db.stagingDepth());
          case 'C' -> db.cleanup(db.stagingDepth());
          case 'L' -> db.updateFlags(op.key, FlagsOp.SET_KEY_LOCKED);
          case 'D' -> db.delete(op.key);
          default -> db.set(op.key, op.value);
        }
        log.add(op);
      } finally {
        logLock.unlock();
      }
    }

    void writer() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      long stagedId = 0;
      int depth = 0;
      List<Long> stagedLive = new ArrayList<>();
      while (!stop.get()) {
        int p = permanent.get();
        int x = r.nextInt(100);
        if (x < 50 && depth == 0 && p < MAX_PERMANENT) {
          // A new key for good: inserted at depth 0, so no rollback can take it away.
          started.set(p, 0);
          logged(new Op('W', key(PERMANENT, p), value(PERMANENT, p, 0)));
          permanent.set(p + 1);
          totals.inserted.incrementAndGet();
        } else if (x < 65 && p > 0) {
          int id = r.nextInt(p);
          int version = started.get(id) + 1;
          started.set(id, version); // begun before the write: readers may see it from now on
          logged(new Op('W', key(PERMANENT, id), value(PERMANENT, id, version)));
        } else if (x < 80 && depth > 0) {
          long id = stagedId++;
          stagedLive.add(id);
          logged(new Op('W', key(STAGED, id), value(STAGED, id, 0)));
        } else if (x < 83 && depth > 0 && !stagedLive.isEmpty()) {
          long id = stagedLive.get(r.nextInt(stagedLive.size()));
          logged(new Op('D', key(STAGED, id), null));
        } else if (x < 90 && depth < 3) {
          logged(new Op('S', null, null));
          depth++;
        } else if (x < 95 && depth > 0) {
          logged(new Op('R', null, null));
          depth--;
        } else if (depth > 0) {
          logged(new Op('C', null, null));
          totals.cleanups.incrementAndGet();
          depth--;
        }
        totals.writes.incrementAndGet();
      }
    }

    /** SELECT … FOR UPDATE: get, then lock; own keys (id % READERS == me) and shared ones. */
    void forUpdate(int me) {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      MemDB d = db;
      while (!stop.get()) {
        int p = permanent.get();
        if (p == 0) {
          Thread.onSpinWait();
          continue;
        }
        int id = r.nextInt(p);
        if (r.nextBoolean()) {
          id = id - id % READERS + me; // one of my own keys
          if (id >= p) {
            continue;
          }
        }
        byte[] k = key(PERMANENT, id);
        byte[] v = d.get(k);
        int version = versionOf(PERMANENT, id, v);
        if (version < 0 || version > started.get(id)) {
          totals.anomaly(
              "get " + id + " (inserted) read " + TestKeys.hex(v) + ", started " + started.get(id));
        }
        totals.gets.incrementAndGet();
        if (r.nextInt(8) == 0) {
          lockUnordered(k);
          totals.locks.incrementAndGet();
          KeyFlags f = d.getFlags(k);
          if (f == null || !f.has(KeyFlag.KEY_LOCKED)) {
            totals.anomaly("lock of " + id + " lost: flags " + f);
          }
        }
        // A staged key: absent, or one of its values; sometimes locked, perhaps while a cleanup
        // rolls it back.
        long sid = r.nextLong(1 + totals.writes.get() / 4);
        byte[] sk = key(STAGED, sid);
        byte[] sv = d.get(sk);
        if (sv != null && sv.length != 0 && versionOf(STAGED, sid, sv) != 0) {
          totals.anomaly("staged key " + sid + " read " + TestKeys.hex(sv));
        }
        if (r.nextInt(16) == 0) {
          lockUnordered(sk);
          totals.locks.incrementAndGet();
          KeyFlags f = d.getFlags(sk);
          if (f == null || !f.has(KeyFlag.KEY_LOCKED)) {
            totals.anomaly("lock of staged key " + sid + " lost: flags " + f);
          }
        }
        totals.gets.incrementAndGet();
      }
    }

    /** Range scans, both directions, over permanent keys. */
    void scanner() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      while (!stop.get()) {
        int p = permanent.get();
        if (p < 2) {
          Thread.onSpinWait();
          continue;
        }
        int lo = r.nextInt(p);
        int hi = lo + 1 + r.nextInt(Math.min(2000, p - lo + 500));
        // One scan in 16 is an exclusive visit (ascending, under the write lock), checked alike.
        boolean exclusive = r.nextInt(16) == 0;
        boolean asc = exclusive || r.nextBoolean();
        ScanCheck check = new ScanCheck(lo, hi, asc, p); // ids below p were present throughout
        byte[] lower = key(PERMANENT, lo);
        byte[] upper = key(PERMANENT, hi);
        if (exclusive) {
          db.forEachExclusive(lower, upper, e -> check.entry(e.key(), e.value()));
          totals.exclusiveScans.incrementAndGet();
        } else {
          try (MemDBIterator it =
              asc ? db.iterator(lower, upper) : db.descendingIterator(lower, upper)) {
            for (; it.valid(); it.next()) {
              check.entry(it.key(), it.value());
            }
          }
        }
        check.end();
        totals.scans.incrementAndGet();
      }
    }

    /** The checks of one scan of the permanent range {@code [lo, hi)}, entry by entry. */
    final class ScanCheck {
      private final int lo;
      private final int hi;
      private final boolean asc;
      private final int presentBefore;
      private long expectNext;
      private byte[] prev;

      ScanCheck(int lo, int hi, boolean asc, int presentBefore) {
        this.lo = lo;
        this.hi = hi;
        this.asc = asc;
        this.presentBefore = presentBefore;
        this.expectNext = asc ? lo : Math.min(hi, presentBefore) - 1;
      }

      void entry(byte[] k, byte[] v) {
        totals.iterated.incrementAndGet();
        if (prev != null
            && (asc
                ? Arrays.compareUnsigned(prev, k) >= 0
                : Arrays.compareUnsigned(prev, k) <= 0)) {
          totals.anomaly("scan out of order: " + TestKeys.hex(prev) + " then " + TestKeys.hex(k));
        }
        prev = k;
        if (k.length != 9 || k[0] != PERMANENT) {
          totals.anomaly("scan of permanent range returned " + TestKeys.hex(k));
          return;
        }
        long id = ByteBuffer.wrap(k, 1, 8).getLong();
        if (id < lo || id >= hi) {
          totals.anomaly("scan [" + lo + "," + hi + ") returned " + id);
        }
        int version = versionOf(PERMANENT, id, v);
        if (version < 0 || id >= MAX_PERMANENT || version > started.get((int) id)) {
          totals.anomaly("scan read key " + id + " = " + TestKeys.hex(v));
        }
        if (id < presentBefore) {
          if (id != expectNext) {
            totals.anomaly("scan " + range() + " expected " + expectNext + " got " + id);
          }
          expectNext = asc ? id + 1 : id - 1;
        } else if (id > permanent.get()) { // the key being inserted now may already show
          totals.anomaly("scan returned key " + id + " not yet inserted");
        }
      }

      void end() {
        long end = asc ? Math.min(hi, presentBefore) : lo - 1;
        if (expectNext != end) {
          totals.anomaly("scan " + range() + " missed keys from " + expectNext);
        }
      }

      private String range() {
        return (asc ? "asc" : "desc") + " [" + lo + "," + hi + ")";
      }
    }

    void run(long nanos) throws Exception {
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = new ArrayList<>();
      Runnable[] bodies = new Runnable[2 + READERS];
      bodies[0] = this::writer;
      bodies[1] = this::scanner;
      for (int i = 0; i < READERS; i++) {
        int me = i;
        bodies[2 + i] = () -> forUpdate(me);
      }
      for (Runnable b : bodies) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    b.run();
                  } catch (Throwable e) {
                    synchronized (errors) {
                      errors.add(e);
                    }
                    stop.set(true);
                  }
                });
        t.start();
        threads.add(t);
      }
      long end = System.nanoTime() + nanos;
      while (!stop.get() && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      for (Throwable e : errors) {
        totals.anomaly("exception: " + e);
        e.printStackTrace();
      }
      // Final contents against a sequential replay of the log.
      Model m = new Model();
      log.forEach(m::apply);
      List<String> actual = dump(db);
      List<String> expected = m.dump();
      if (!expected.equals(actual)) {
        int i = 0;
        while (i < Math.min(actual.size(), expected.size())
            && actual.get(i).equals(expected.get(i))) {
          i++;
        }
        totals.anomaly(
            "final contents differ from the model replay at entry "
                + i
                + " of "
                + expected.size()
                + "/"
                + actual.size()
                + ": model "
                + (i < expected.size() ? expected.get(i) : "<end>")
                + " buffer "
                + (i < actual.size() ? actual.get(i) : "<end>"));
      }
      if (m.keyCount() != db.keyCount()
          || m.dataSize() != db.dataSize()
          || m.stageStarts.size() != db.stagingDepth()) {
        totals.anomaly(
            "counters: model keys "
                + m.keyCount()
                + " size "
                + m.dataSize()
                + " depth "
                + m.stageStarts.size()
                + ", buffer "
                + db.keyCount()
                + " "
                + db.dataSize()
                + " "
                + db.stagingDepth());
      }
      MemDBStats s = db.stats();
      totals.retries.addAndGet(s.readRetries());
      totals.fallbacks.addAndGet(s.readFallbacks());
      totals.nodeBlocks.addAndGet(s.nodes().blocks());
      totals.valueBlocks.addAndGet(s.values().blocks());
      db.close();
    }
  }

  static void run(long seconds) throws Exception {
    long episodeNanos = Long.getLong("memdb.stress.episodeSeconds", 10) * 1_000_000_000L;
    Totals t = new Totals();
    long t0 = System.nanoTime();
    long deadline = t0 + seconds * 1_000_000_000L;
    int episodes = 0;
    long lastReport = t0;
    do {
      long now = System.nanoTime();
      // Half the time goes to short episodes: a fresh buffer's first moments (small blocks that
      // move every few writes, iterators on new read-ahead arrays) are where the early-end bug of
      // the read-ahead copy showed up at once, when long episodes met it once in 400 s.
      boolean shortPhase = episodeNanos > 0 && (now - t0) % (2 * episodeNanos) < episodeNanos;
      long length = shortPhase ? SHORT_EPISODE_NANOS : episodeNanos;
      new Episode(t).run(Math.max(SHORT_EPISODE_NANOS, Math.min(deadline - now, length)));
      episodes++;
      if (seconds >= 60 && System.nanoTime() - lastReport >= 30_000_000_000L) {
        lastReport = System.nanoTime();
        System.out.printf(
            "[stress] %d s: episodes %d, gets %d, anomalies %d%n",
            (System.nanoTime() - t0) / 1_000_000_000L,
            episodes,
            t.gets.get(),
            t.anomalyCount.get());
      }
    } while (System.nanoTime() < deadline);
    double secs = (System.nanoTime() - t0) / 1e9;
    long reads = t.gets.get() + t.iterated.get();
    System.out.printf(
        "seed scenario: %.0f s, %d episodes; reads done %d (gets %d, iterator steps %d in %d scans,"
            + " %d of them exclusive visits), locks %d,"
            + " writes %d (new keys %d, stage cleanups %d), node/value blocks at episode ends %d/%d;"
            + " read retries %d (%.4f per get), fallbacks %d (%.6f per get); anomalies %d%n",
        secs,
        episodes,
        reads,
        t.gets.get(),
        t.iterated.get(),
        t.scans.get(),
        t.exclusiveScans.get(),
        t.locks.get(),
        t.writes.get(),
        t.inserted.get(),
        t.cleanups.get(),
        t.nodeBlocks.get(),
        t.valueBlocks.get(),
        t.retries.get(),
        t.retries.get() / (double) Math.max(1, t.gets.get()),
        t.fallbacks.get(),
        t.fallbacks.get() / (double) Math.max(1, t.gets.get()),
        t.anomalyCount.get());
    assertTrue(
        t.gets.get() > 0 && t.iterated.get() > 0 && t.inserted.get() > 0,
        "every thread made progress");
    assertEquals(List.of(), t.anomalies, "anomalies (" + t.anomalyCount.get() + ")");
  }
}
