package dev.memdb.bench.seed;

import dev.memdb.FlagsOp;
import dev.memdb.MemDB;
import dev.memdb.MemDBOptions;
import dev.memdb.MemDBStats;
import dev.memdb.MemDBIterator;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A system under test in the seed scenario: a transaction's memory buffer shared by lockers (get,
 * then lock the key), one writer inserting new keys, and one range scanner.
 */
interface SeedSystem extends AutoCloseable {
  /** The bit the peers use for "locked" (memdb: {@code FlagsOp.SET_KEY_LOCKED}). */
  int LOCKED = 1 << 1;

  String name();

  /** Writer: inserts a new key (copies key and value). */
  void insert(byte[] key, byte[] value);

  /** Locker, step 1: reads the key's value into {@code dst}; its length, or -1 if absent. */
  int get(byte[] key, byte[] dst);

  /** Locker, step 2: sets the key's lock flag (TiDB's SELECT … FOR UPDATE). */
  void lock(byte[] key);

  /** Scanner: reads up to {@code n} entries from {@code lower}; returns the bytes read. */
  long scan(byte[] lower, int n);

  /** Called once before the threads start, after the prefill. */
  void beginWriterRound();

  /** Removes the writer's {@code count} keys (memdb: rolls its stage back) and starts a new round. */
  void rollbackWriterRound(long count, SeedKeys keys);

  /** memdb's off-heap bytes, or -1 for the heap peers. */
  long offHeapBytes();

  /**
   * What the system counted about itself since {@link #beginWriterRound()}, for the summary; empty
   * for the heap peers.
   */
  default String internals() {
    return "";
  }

  @Override
  void close();

  static SeedSystem open(String name) {
    return switch (name) {
      case "memdb" -> new MemDbSystem("memdb", MemDBOptions.builder().build());
      case "memdb-noprep" -> new MemDbSystem("memdb-noprep", MemDBOptions.builder().prepareAheadBytes(0).build());
      case "memdb-onechunk" ->
          new MemDbSystem("memdb-onechunk", MemDBOptions.builder().rollbackChunkRecords(Integer.MAX_VALUE).build());
      case "treemap" -> new TreeMapSystem();
      case "skiplist" -> new SkipListSystem();
      default -> throw new IllegalArgumentException("unknown system " + name + " (memdb, memdb-noprep, memdb-onechunk, treemap, skiplist)");
    };
  }

  /** memdb as a transaction uses it: lock-free gets, flag updates and inserts serialized inside. */
  final class MemDbSystem implements SeedSystem {
    private static final FlagsOp[] LOCK = {FlagsOp.SET_KEY_LOCKED};
    private final String name;
    private final MemDB db;
    private int stage;
    private long baseRetries;
    private long baseFallbacks;

    /** memdb with the given options, reported under the given name. */
    MemDbSystem(String name, MemDBOptions options) {
      this.name = name;
      this.db = MemDB.create(options);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void insert(byte[] key, byte[] value) {
      db.set(key, value);
    }

    @Override
    public int get(byte[] key, byte[] dst) {
      return db.get(key, dst);
    }

    @Override
    public void lock(byte[] key) {
      db.updateFlags(key, LOCK);
    }

    @Override
    public long scan(byte[] lower, int n) {
      long sum = 0;
      try (MemDBIterator it = db.iterator(lower, null)) {
        for (int i = 0; i < n && it.valid(); i++, it.next()) {
          byte[] v = it.value();
          sum += it.key().length + (v == null ? 0 : v.length);
        }
      }
      return sum;
    }

    @Override
    public void beginWriterRound() {
      stage = db.staging();
      MemDBStats s = db.stats();
      baseRetries = s.readRetries();
      baseFallbacks = s.readFallbacks();
    }

    @Override
    public String internals() {
      MemDBStats s = db.stats();
      return String.format(
          Locale.ROOT,
          "%,d optimistic-read retries, %,d reads that fell back to the write lock",
          s.readRetries() - baseRetries,
          s.readFallbacks() - baseFallbacks);
    }

    @Override
    public void rollbackWriterRound(long count, SeedKeys keys) {
      db.cleanup(stage);
      stage = db.staging();
    }

    @Override
    public long offHeapBytes() {
      return db.memoryFootprint();
    }

    @Override
    public void close() {
      db.close();
    }
  }

  /** A heap entry: the value and the key's flags. */
  final class Entry {
    static final VarHandle FLAGS;

    static {
      try {
        FLAGS = MethodHandles.lookup().findVarHandle(Entry.class, "flags", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final byte[] value;
    volatile int flags;

    Entry(byte[] value, int flags) {
      this.value = value;
      this.flags = flags;
    }

    int copyTo(byte[] dst) {
      if (value == null) {
        return -1;
      }
      if (value.length <= dst.length) {
        System.arraycopy(value, 0, dst, 0, value.length);
      }
      return value.length;
    }
  }

  private static long scanEntries(NavigableMap<byte[], Entry> map, byte[] lower, int n) {
    long sum = 0;
    Iterator<Map.Entry<byte[], Entry>> it = map.tailMap(lower, true).entrySet().iterator();
    for (int i = 0; i < n && it.hasNext(); i++) {
      Map.Entry<byte[], Entry> e = it.next();
      byte[] v = e.getValue().value;
      sum += e.getKey().length + (v == null ? 0 : v.length);
    }
    return sum;
  }

  /** {@code TreeMap<byte[], Entry>} behind a non-fair {@code ReentrantReadWriteLock}. */
  final class TreeMapSystem implements SeedSystem {
    private final TreeMap<byte[], Entry> map = new TreeMap<>(Arrays::compareUnsigned);
    private final ReentrantReadWriteLock.ReadLock read;
    private final ReentrantReadWriteLock.WriteLock write;

    TreeMapSystem() {
      ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
      read = rw.readLock();
      write = rw.writeLock();
    }

    @Override
    public String name() {
      return "treemap";
    }

    @Override
    public void insert(byte[] key, byte[] value) {
      write.lock();
      try {
        map.put(key.clone(), new Entry(value.clone(), 0));
      } finally {
        write.unlock();
      }
    }

    @Override
    public int get(byte[] key, byte[] dst) {
      read.lock();
      try {
        Entry e = map.get(key);
        return e == null ? -1 : e.copyTo(dst);
      } finally {
        read.unlock();
      }
    }

    @Override
    public void lock(byte[] key) {
      read.lock();
      try {
        Entry e = map.get(key);
        if (e != null && (e.flags & LOCKED) != 0) {
          return; // locked already: as memdb's updateFlags, change nothing and skip the write lock
        }
      } finally {
        read.unlock();
      }
      write.lock();
      try {
        Entry e = map.get(key);
        if (e == null) {
          map.put(key.clone(), new Entry(null, LOCKED));
        } else {
          e.flags |= LOCKED;
        }
      } finally {
        write.unlock();
      }
    }

    @Override
    public long scan(byte[] lower, int n) {
      read.lock();
      try {
        return scanEntries(map, lower, n);
      } finally {
        read.unlock();
      }
    }

    @Override
    public void beginWriterRound() {}

    @Override
    public void rollbackWriterRound(long count, SeedKeys keys) {
      byte[] key = new byte[keys.keySize()];
      write.lock();
      try {
        for (long j = 0; j < count; j++) {
          keys.writerKey(key, j);
          map.remove(key);
        }
      } finally {
        write.unlock();
      }
    }

    @Override
    public long offHeapBytes() {
      return -1;
    }

    @Override
    public void close() {
      map.clear();
    }
  }

  /** {@code ConcurrentSkipListMap<byte[], Entry>}; locks set the flag bit with an atomic or. */
  final class SkipListSystem implements SeedSystem {
    private final ConcurrentSkipListMap<byte[], Entry> map =
        new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

    @Override
    public String name() {
      return "skiplist";
    }

    @Override
    public void insert(byte[] key, byte[] value) {
      map.put(key.clone(), new Entry(value.clone(), 0));
    }

    @Override
    public int get(byte[] key, byte[] dst) {
      Entry e = map.get(key);
      return e == null ? -1 : e.copyTo(dst);
    }

    @Override
    public void lock(byte[] key) {
      Entry e = map.get(key);
      if (e != null && (e.flags & LOCKED) != 0) {
        return; // locked already: no atomic update on the entry
      }
      if (e == null) {
        e = map.computeIfAbsent(key.clone(), k -> new Entry(null, 0));
      }
      Entry.FLAGS.getAndBitwiseOr(e, LOCKED);
    }

    @Override
    public long scan(byte[] lower, int n) {
      return scanEntries(map, lower, n);
    }

    @Override
    public void beginWriterRound() {}

    @Override
    public void rollbackWriterRound(long count, SeedKeys keys) {
      byte[] key = new byte[keys.keySize()];
      for (long j = 0; j < count; j++) {
        keys.writerKey(key, j);
        map.remove(key);
      }
    }

    @Override
    public long offHeapBytes() {
      return -1;
    }

    @Override
    public void close() {
      map.clear();
    }
  }
}
