package dev.memdb.bench.jmh;

import dev.memdb.bench.store.KvStore;
import dev.memdb.bench.store.Keys;
import dev.memdb.bench.store.Stores;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads from a store prefilled once per trial with a fixed {@code size} (default 1,000,000) of
 * 16-byte keys and 128-byte values, so the tree's size never depends on the iteration count.
 *
 * <ul>
 *   <li>{@code Get} (Go BenchmarkGet): keys with a big-endian counter in bytes 0–3, read in
 *       ascending order, wrapping around.
 *   <li>{@code GetRandom} (Go BenchmarkGetRandom): keys with a random little-endian int in bytes
 *       0–3, read in their (random) insertion order.
 *   <li>{@code MemBufferCache} (Go BenchmarkMemBufferCache): on the random store, per operation one
 *       cold get of the next key and 10 repeated gets of it (11 gets per op).
 *   <li>{@code Scan} (no Go counterpart): from a random existing key of the sequential store, read
 *       the next {@code scanLength} entries, touching every key and value (memdb copies both).
 * </ul>
 *
 * Gets use each store's natural {@code byte[] get(key)}: memdb and RocksDB return a new copy, the
 * heap maps the array they hold. The zero-allocation reads of memdb are in {@link ZeroAllocBench}.
 *
 * <p>Run with: {@code scripts/bench-jmh GetBench} (or {@code java -jar bench/target/benchmarks.jar
 * GetBench -prof gc})
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GetBench {

  /** The prefilled store; ascending BE-counter keys, or random LE keys for the *Random benchmarks. */
  @State(Scope.Benchmark)
  public static class Filled {
    @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
    public String impl;

    @Param("1000000")
    public int size;

    @Param("100")
    public int scanLength;

    KvStore store;
    int[] random;

    @Setup(Level.Trial)
    public void fill(BenchmarkParams params) {
      store = Stores.open(impl);
      random = Keys.randomInts(size, 42);
      boolean randomKeys =
          params.getBenchmark().endsWith("GetRandom") || params.getBenchmark().endsWith("MemBufferCache");
      byte[] key = new byte[Keys.KEY_SIZE];
      byte[] value = Keys.value(Keys.VALUE_SIZE);
      for (int i = 0; i < size; i++) {
        if (randomKeys) {
          Keys.putIntLE(key, random[i]);
        } else {
          Keys.putIntBE(key, i);
        }
        store.put(key, value);
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      store.close();
    }
  }

  /** Per-thread key buffer and position. */
  @State(Scope.Thread)
  public static class Cursor {
    final byte[] key = new byte[Keys.KEY_SIZE];
    int i;

    int next(int size) {
      int r = i;
      i = r + 1 == size ? 0 : r + 1;
      return r;
    }
  }

  @Benchmark
  public byte[] Get(Filled s, Cursor c) {
    Keys.putIntBE(c.key, c.next(s.size));
    return s.store.get(c.key);
  }

  @Benchmark
  public byte[] GetRandom(Filled s, Cursor c) {
    Keys.putIntLE(c.key, s.random[c.next(s.size)]);
    return s.store.get(c.key);
  }

  @Benchmark
  public void MemBufferCache(Filled s, Cursor c, Blackhole bh) {
    Keys.putIntLE(c.key, s.random[c.next(s.size)]);
    for (int j = 0; j < 11; j++) {
      bh.consume(s.store.get(c.key));
    }
  }

  @Benchmark
  public long Scan(Filled s, Cursor c) {
    // A random start: the random ints are reused as positions in the ascending store.
    Keys.putIntBE(c.key, Math.floorMod(s.random[c.next(s.size)], s.size));
    return s.store.scan(c.key, s.scanLength);
  }
}
