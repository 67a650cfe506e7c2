package dev.memdb.tools;

import dev.memdb.Checkpoint;
import dev.memdb.MemDB;
import dev.memdb.MemDBOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The three workloads. Keys and values are random bytes written from two reused arrays, so the
 * workload makes almost no heap garbage (the heap's resident size stays flat and RSS deltas are
 * memdb's).
 */
final class Workload {
  /** Settings, from the command line. */
  static final class Settings {
    String name = "fill";
    long keys = -1; // fill: entries (default 300,000); churn: entries per buffer (default 10,000)
    int keySize = 16;
    int valueSize = 128;
    int buffers = 400; // churn
    int live = 4; // churn: buffers open at once
    int txns = 20_000; // txn
    int writesPerTxn = 60; // txn
    long seed = 42;
    int initialBlockSize = MemDBOptions.DEFAULT_INITIAL_BLOCK_SIZE;
    int maxBlockSize = MemDBOptions.DEFAULT_MAX_BLOCK_SIZE;
    long prepareAheadBytes = MemDBOptions.DEFAULT_PREPARE_AHEAD_BYTES;

    MemDBOptions options() {
      return MemDBOptions.builder()
          .initialBlockSize(initialBlockSize)
          .maxBlockSize(maxBlockSize)
          .prepareAheadBytes(prepareAheadBytes)
          .build();
    }

    String describe() {
      if (keys < 0) {
        keys = name.equals("churn") ? 10_000 : 300_000;
      }
      String what = switch (name) {
        case "fill" -> String.format("fill: one buffer, %,d random entries (key %d B, value %d B)", keys, keySize, valueSize);
        case "txn" ->
            String.format(
                "txn: one buffer, %,d transactions of %d writes (key %d B, value %d B) in nested stages; "
                    + "1/3 of the stages rolled back, 1/10 of the transactions reverted to a checkpoint, reset every 50",
                txns, writesPerTxn, keySize, valueSize);
        case "churn" ->
            String.format(
                "churn: %,d buffers x %,d random entries (key %d B, value %d B), %d open at once, each closed after filling",
                buffers, keys, keySize, valueSize, live);
        default -> throw new IllegalArgumentException("unknown workload " + name + " (fill, txn, churn)");
      };
      return what + String.format("; blocks prepared ahead: up to %,d B a buffer", prepareAheadBytes);
    }
  }

  private final Settings s;
  private final Sampler sampler;
  private final SplittableRandom rnd;
  private final byte[] key;
  private final byte[] value;

  /** Buffers still open when the workload returns (fill keeps its buffer for the peak figures). */
  final List<MemDB> open = new ArrayList<>();

  Workload(Settings s, Sampler sampler) {
    this.s = s;
    this.sampler = sampler;
    this.rnd = new SplittableRandom(s.seed);
    this.key = new byte[s.keySize];
    this.value = new byte[s.valueSize];
  }

  void run() {
    switch (s.name) {
      case "fill" -> fill();
      case "txn" -> txn();
      case "churn" -> churn(s.buffers);
      default -> throw new IllegalArgumentException("unknown workload " + s.name);
    }
  }

  private void randomize() {
    rnd.nextBytes(key);
    rnd.nextBytes(value);
  }

  private void fill() {
    MemDB db = sampler.opened(MemDB.create(s.options()));
    for (long i = 0; i < s.keys; i++) {
      randomize();
      db.set(key, value);
    }
    open.add(db);
  }

  private void txn() {
    MemDB db = sampler.opened(MemDB.create(s.options()));
    for (int t = 0; t < s.txns; t++) {
      if (t % 50 == 0) {
        db.reset();
      }
      Checkpoint cp = t % 10 == 0 ? db.checkpoint() : null;
      int outer = db.staging();
      int written = 0;
      while (written < s.writesPerTxn) {
        int stage = db.staging();
        int n = 1 + rnd.nextInt(10);
        for (int i = 0; i < n; i++, written++) {
          randomize();
          db.set(key, value);
        }
        if (rnd.nextInt(3) == 0) {
          db.cleanup(stage);
        } else {
          db.release(stage);
        }
      }
      db.release(outer);
      if (cp != null) {
        db.revertToCheckpoint(cp);
      }
    }
    open.add(db);
  }

  /** Creates, fills and closes {@code count} buffers, {@code live} open at once. */
  void churn(int count) {
    ArrayDeque<MemDB> window = new ArrayDeque<>();
    for (int b = 0; b < count; b++) {
      MemDB db = sampler.opened(MemDB.create(s.options()));
      window.addLast(db);
      for (long i = 0; i < s.keys; i++) {
        randomize();
        db.set(key, value);
      }
      if (window.size() >= s.live) {
        MemDB old = window.removeFirst();
        sampler.close(old);
      }
    }
    while (!window.isEmpty()) {
      MemDB old = window.removeFirst();
      sampler.close(old);
    }
  }

  /** Closes what the workload left open. */
  void closeAll() {
    for (MemDB db : open) {
      sampler.close(db);
    }
    open.clear();
  }
}
