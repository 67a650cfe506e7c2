package dev.memdb.bench.store;

/** Opens a store by the name used in the benchmarks' {@code impl} parameter. */
public final class Stores {
  /** The names accepted by {@link #open(String)}, in the order the benchmarks list them. */
  public static final String MEMDB = "memdb";

  public static final String TREEMAP = "treemap";
  public static final String SKIPLIST = "skiplist";
  public static final String ROCKSDB = "rocksdb";

  private Stores() {}

  /**
   * Opens a single-threaded store.
   *
   * @param impl memdb, treemap, skiplist or rocksdb
   */
  public static KvStore open(String impl) {
    return switch (impl) {
      case MEMDB -> new MemDbStore();
      case TREEMAP -> NavigableMapStore.treeMap();
      case SKIPLIST -> NavigableMapStore.skipList();
      case ROCKSDB -> new RocksDbStore();
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    };
  }

  /**
   * Opens a store for one writer beside concurrent readers: memdb and the skip list as they are,
   * the TreeMap and RocksDB's batch behind a read-write lock.
   */
  public static KvStore openConcurrent(String impl) {
    return switch (impl) {
      case MEMDB, SKIPLIST -> open(impl);
      case TREEMAP, ROCKSDB -> new LockedStore(open(impl));
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    };
  }
}
