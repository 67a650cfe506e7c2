package dev.memdb.bench.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * RocksDB's in-memory indexed write batch, {@code WriteBatchWithIndex(overwriteKey = true)} with
 * RocksDB's native bytewise comparator (the same order as {@code Arrays.compareUnsigned}; a Java
 * {@code AbstractComparator} would call back into the JVM on every comparison). Point reads use
 * {@code getFromBatch}; iteration uses {@code newIteratorWithBase} over an empty on-disk base
 * database, which is how a transaction layer reads its own writes.
 */
public final class RocksDbStore implements KvStore {
  static {
    RocksDB.loadLibrary();
  }

  private static final Object BASE_LOCK = new Object();
  private static RocksDB base;
  private static Path baseDir;

  private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
  private static final DBOptions DB_OPTIONS = new DBOptions();

  private static RocksDB base() {
    synchronized (BASE_LOCK) {
      if (base == null) {
        try {
          baseDir = Files.createTempDirectory("memdb-bench-rocksdb");
          Options options = new Options().setCreateIfMissing(true);
          base = RocksDB.open(options, baseDir.toString());
          Runtime.getRuntime().addShutdownHook(new Thread(RocksDbStore::deleteBase));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (RocksDBException e) {
          throw new IllegalStateException(e);
        }
      }
      return base;
    }
  }

  private static void deleteBase() {
    synchronized (BASE_LOCK) {
      if (base != null) {
        base.close();
        base = null;
      }
      if (baseDir != null) {
        try (Stream<Path> files = Files.walk(baseDir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
          // a temp folder left behind
        }
      }
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      batch.put(key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return batch.getFromBatch(DB_OPTIONS, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int get(byte[] key, byte[] dst) {
    byte[] v = get(key);
    if (v == null) {
      return -1;
    }
    if (v.length <= dst.length) {
      System.arraycopy(v, 0, dst, 0, v.length);
    }
    return v.length;
  }

  @Override
  public long scan(byte[] lower, int n) {
    long sum = 0;
    try (RocksIterator baseIt = base().newIterator();
        RocksIterator it = batch.newIteratorWithBase(baseIt)) {
      it.seek(lower);
      for (int i = 0; i < n && it.isValid(); i++, it.next()) {
        sum += it.key().length + it.value().length;
      }
    }
    return sum;
  }

  @Override
  public long copyAll(byte[] keyDst, byte[] valueDst) {
    long sum = 0;
    try (RocksIterator baseIt = base().newIterator();
        RocksIterator it = batch.newIteratorWithBase(baseIt)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        // The JNI iterator copies into a new array each time; then into the caller's buffers.
        byte[] k = it.key();
        byte[] v = it.value();
        System.arraycopy(k, 0, keyDst, 0, k.length);
        System.arraycopy(v, 0, valueDst, 0, v.length);
        sum += k.length + v.length;
      }
    }
    return sum;
  }

  @Override
  public long iterateAll() {
    long count = 0;
    try (RocksIterator baseIt = base().newIterator();
        RocksIterator it = batch.newIteratorWithBase(baseIt)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        count++;
      }
    }
    return count;
  }

  @Override
  public long snapshotIterateAll() {
    return iterateAll();
  }

  @Override
  public void stage() {}

  @Override
  public void clear() {
    batch.clear();
  }

  @Override
  public void remove(byte[] key) {
    try {
      batch.delete(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    batch.close();
  }
}
