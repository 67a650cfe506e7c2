package dev.memdb.bench.store;

import dev.memdb.EntryView;
import dev.memdb.EntryViewVisitor;
import dev.memdb.MemDB;
import dev.memdb.MemDBOptions;
import dev.memdb.MemDBIterator;
import dev.memdb.Snapshot;

/** memdb through its plain byte-array API. */
public final class MemDbStore implements KvStore {
  private final MemDB db;
  private byte[] keyBuffer = new byte[64];
  private byte[] valueBuffer = new byte[256];

  /** A store over a buffer with the default options. */
  public MemDbStore() {
    this(MemDBOptions.builder().build());
  }

  /**
   * A store over a buffer with the given options.
   *
   * @param options the buffer's options
   */
  public MemDbStore(MemDBOptions options) {
    db = MemDB.create(options);
  }

  /** The buffer itself, for benchmarks of memdb-only API. */
  public MemDB db() {
    return db;
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.set(key, value);
  }

  @Override
  public byte[] get(byte[] key) {
    return db.get(key);
  }

  @Override
  public int get(byte[] key, byte[] dst) {
    return db.get(key, dst);
  }

  @Override
  public long scan(byte[] lower, int n) {
    // The heap maps hand out the arrays they hold; memdb copies each key and value into the
    // caller's arrays (the iterator's allocation-free accessors), which is at least as much work.
    byte[] k = keyBuffer;
    byte[] v = valueBuffer;
    long sum = 0;
    try (MemDBIterator it = db.iterator(lower, null)) {
      for (int i = 0; i < n && it.valid(); i++, it.next()) {
        int kl = it.key(k);
        int vl = it.value(v);
        if (kl > k.length || vl > v.length) {
          k = keyBuffer = new byte[Math.max(kl, k.length)];
          v = valueBuffer = new byte[Math.max(vl, v.length)];
          it.key(k);
          it.value(v);
        }
        sum += kl + vl;
      }
    }
    return sum;
  }

  @Override
  public long copyAllExclusive(byte[] keyDst, byte[] valueDst) {
    CopyingVisitor v = copying;
    v.keyDst = keyDst;
    v.valueDst = valueDst;
    v.sum = 0;
    db.forEachExclusive(null, null, v);
    return v.sum;
  }

  /** Copies each entry of an exclusive visit into the caller's arrays; reused by every visit. */
  private static final class CopyingVisitor implements EntryViewVisitor {
    byte[] keyDst;
    byte[] valueDst;
    long sum;

    @Override
    public void visit(EntryView e) {
      sum += e.key(keyDst) + e.value(valueDst);
    }
  }

  private final CopyingVisitor copying = new CopyingVisitor();

  @Override
  public long copyAll(byte[] keyDst, byte[] valueDst) {
    long sum = 0;
    try (MemDBIterator it = db.iterator(null, null)) {
      for (; it.valid(); it.next()) {
        sum += it.key(keyDst) + it.value(valueDst);
      }
    }
    return sum;
  }

  @Override
  public long iterateAll() {
    long count = 0;
    try (MemDBIterator it = db.iterator(null, null)) {
      for (; it.valid(); it.next()) {
        count++;
      }
    }
    return count;
  }

  @Override
  public long snapshotIterateAll() {
    long count = 0;
    Snapshot snap = db.snapshot();
    try (MemDBIterator it = snap.iterator(null, null)) {
      for (; it.valid(); it.next()) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void stage() {
    db.staging();
  }

  @Override
  public void clear() {
    db.reset();
  }

  @Override
  public void remove(byte[] key) {
    db.delete(key);
  }

  @Override
  public void close() {
    db.close();
  }
}
