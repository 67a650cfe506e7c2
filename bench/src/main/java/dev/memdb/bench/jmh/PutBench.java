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

/**
 * Go's BenchmarkPut, BenchmarkPutRandom and BenchmarkLargeIndex: one write per operation.
 *
 * <ul>
 *   <li>{@code Put}: 16-byte key with a big-endian counter in bytes 0–3 (ascending inserts), 128-byte
 *       value.
 *   <li>{@code PutRandom}: the same with a random little-endian int in bytes 0–3 (a fixed seeded
 *       sequence of {@code size} ints).
 *   <li>{@code LargeIndex}: key = value = a 128-byte buffer with a little-endian counter in bytes
 *       0–3 (large keys, a scattered insert order).
 * </ul>
 *
 * <p><b>Fixed size:</b> the store is emptied ({@code clear()}; memdb {@code reset()}) after every
 * {@code size} puts, inside the measured operation, so it always grows through the same range
 * 0..{@code size} whatever the iteration count; the reset's cost is included, amortised over {@code
 * size} puts. Key and value buffers are reused by the caller, so every store copies them (memdb
 * into its arenas, the heap maps as clones: that is what a TreeMap user must do too).
 *
 * <p>Run with: {@code scripts/bench-jmh PutBench} (or {@code java -jar bench/target/benchmarks.jar
 * PutBench -prof gc})
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PutBench {
  @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
  public String impl;

  @Param("1000000")
  public int size;

  private KvStore store;
  private int[] random;
  private final byte[] key = new byte[Keys.KEY_SIZE];
  private final byte[] value = Keys.value(Keys.VALUE_SIZE);
  private final byte[] bigKey = Keys.value(Keys.VALUE_SIZE);
  private int i;

  @Setup(Level.Trial)
  public void setUp() {
    store = Stores.open(impl);
    random = Keys.randomInts(size, 42);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  private void advance() {
    if (++i == size) {
      i = 0;
      store.clear();
    }
  }

  @Benchmark
  public void Put() {
    Keys.putIntBE(key, i);
    store.put(key, value);
    advance();
  }

  @Benchmark
  public void PutRandom() {
    Keys.putIntLE(key, random[i]);
    store.put(key, value);
    advance();
  }

  @Benchmark
  public void LargeIndex() {
    Keys.putIntLE(bigKey, i);
    store.put(bigKey, bigKey);
    advance();
  }
}
