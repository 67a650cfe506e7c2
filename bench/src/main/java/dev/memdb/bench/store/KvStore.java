package dev.memdb.bench.store;

/**
 * The one workload interface every benchmark drives, so that memdb and its peers run exactly the same
 * code side by side. Keys and values are byte strings ordered by unsigned lexicographic order.
 *
 * <p>Every store owns the bytes it keeps: {@link #put} copies key and value (memdb and RocksDB copy
 * them into their own memory; the heap maps keep clones), because callers reuse their buffers, as
 * the Go MemDB's callers do.
 */
public interface KvStore extends AutoCloseable {

  /** Writes (inserts or overwrites) a copy of {@code key} → {@code value}. */
  void put(byte[] key, byte[] value);

  /**
   * Reads a value in the store's natural way: memdb and RocksDB return a new copy, the heap maps
   * return the array they hold.
   *
   * @return the value or null
   */
  byte[] get(byte[] key);

  /**
   * Copies a value into {@code dst}.
   *
   * @return the value's length (copied only if it fits) or -1 if absent
   */
  int get(byte[] key, byte[] dst);

  /**
   * Reads up to {@code n} entries ascending from {@code lower} (inclusive), touching every key and
   * value.
   *
   * @return the sum of the key and value lengths read
   */
  long scan(byte[] lower, int n);

  /**
   * Iterates over all entries ascending, copying every key into {@code keyDst} and every value into
   * {@code valueDst} (a transaction's commit path: each entry is handed to the caller's buffers).
   * Both arrays are large enough for every entry.
   *
   * @return the sum of the key and value lengths copied
   */
  long copyAll(byte[] keyDst, byte[] valueDst);

  /**
   * As {@link #copyAll}, holding writers off for the whole iteration where that makes the store's
   * iteration faster (memdb's {@code forEachExclusive}: entries read in place, nothing validated);
   * the other stores iterate as in {@link #copyAll}, which is also what they do under a lock.
   *
   * @return the sum of the key and value lengths copied
   */
  default long copyAllExclusive(byte[] keyDst, byte[] valueDst) {
    return copyAll(keyDst, valueDst);
  }

  /** Iterates over all entries ascending without reading them (the Go MemDbIter loop); returns the count. */
  long iterateAll();

  /**
   * Iterates over all entries of a snapshot (memdb: a snapshot iterator as of the open stage, see
   * {@link #stage()}; the peers have no snapshots and iterate the live map); returns the count.
   */
  long snapshotIterateAll();

  /** Opens a stage (memdb); the peers have none, so this does nothing for them. */
  void stage();

  /** Removes every entry (memdb: {@code reset()}, which gives the memory back). */
  void clear();

  /** Removes one key (memdb, which never unlinks keys: a tombstone). */
  void remove(byte[] key);

  @Override
  void close();
}
