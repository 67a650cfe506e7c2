package dev.memdb.bench.growth;

import dev.memdb.MemDB;
import dev.memdb.MemDBOptions;
import dev.memdb.bench.store.KvStore;
import dev.memdb.bench.store.MemDbStore;
import dev.memdb.bench.store.Stores;

/**
 * One system the growth benchmark fills: a name and how to open an empty store of it.
 *
 * @param name the name in the report
 * @param prepareAheadBytes memdb's {@code MemDBOptions.prepareAheadBytes}, or -1 for a peer
 */
record GrowthSystem(String name, long prepareAheadBytes) {
  /**
   * Parses a system name: {@code memdb} (the defaults), {@code memdb-noprep} (preparation off),
   * {@code treemap} (behind a read-write lock, as in the seed scenario) or {@code skiplist}.
   *
   * @param name the name
   * @return the system
   */
  static GrowthSystem parse(String name) {
    return switch (name) {
      case Stores.MEMDB -> new GrowthSystem(name, MemDBOptions.DEFAULT_PREPARE_AHEAD_BYTES);
      case "memdb-noprep" -> new GrowthSystem(name, 0);
      case Stores.TREEMAP, Stores.SKIPLIST -> new GrowthSystem(name, -1);
      default -> throw new IllegalArgumentException("unknown system " + name);
    };
  }

  /**
   * Opens an empty store.
   *
   * @param trimPool whether memdb's block pool is emptied first, so the buffer grows into fresh
   *     memory as in a process's first transaction
   * @return the store
   */
  KvStore open(boolean trimPool) {
    if (prepareAheadBytes < 0) {
      return Stores.openConcurrent(name);
    }
    if (trimPool) {
      MemDB.trimBlockPool();
    }
    return new MemDbStore(MemDBOptions.builder().prepareAheadBytes(prepareAheadBytes).build());
  }
}
