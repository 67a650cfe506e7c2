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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Go's BenchmarkPut, BenchmarkPutRandom and BenchmarkLargeIndex: writes into a growing store.
 *
 * <ul>
 *   <li>{@code Put}: 16-byte key with a big-endian counter in bytes 0–3 (ascending inserts), 128-byte
 *       value.
 *   <li>{@code PutRandom}: the same with a random little-endian int in bytes 0–3 (a fixed seeded
 *       sequence of {@link #FILL} ints).
 *   <li>{@code LargeIndex}: key = value = a 128-byte buffer with a little-endian counter in bytes
 *       0–3 (large keys, a scattered insert order).
 * </ul>
 *
 * <p><b>One invocation fills an empty store with {@link #FILL} (1,000,000) entries</b>, and the
 * score is its time divided by that count: the average put while the store grows from 0 to a
 * million entries, whatever the iteration count. Emptying the store ({@code clear()}; memdb {@code
 * reset()}, whose blocks go to the block pool the next fill takes them from) and a full GC run
 * before each invocation, outside the measurement, so one fill's garbage is not collected in the
 * next one's time. Timed 1-second iterations with the reset inside them (the earlier design)
 * measured a different part of the growth in every iteration and swung by up to 7x. Key and value
 * buffers are reused by the caller, so every store copies them (memdb into its arenas, the heap
 * maps as clones: that is what a TreeMap user must do too).
 *
 * <p>Run with: {@code scripts/bench-jmh PutBench} (or {@code java -jar bench/target/benchmarks.jar
 * PutBench -prof gc})
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(PutBench.FILL)
@State(Scope.Thread)
@Fork(
    value = 2,
    jvmArgsAppend = {
      "-Xms3g",
      "-Xmx3g",
      "-XX:+AlwaysPreTouch",
      "--enable-native-access=ALL-UNNAMED"
    })
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class PutBench {
  /** Entries one invocation puts into an empty store. */
  public static final int FILL = 1_000_000;

  @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
  public String impl;

  private KvStore store;
  private int[] random;
  private final byte[] key = new byte[Keys.KEY_SIZE];
  private final byte[] value = Keys.value(Keys.VALUE_SIZE);
  private final byte[] bigKey = Keys.value(Keys.VALUE_SIZE);

  @Setup(Level.Trial)
  public void setUp() {
    store = Stores.open(impl);
    random = Keys.randomInts(FILL, 42);
  }

  @Setup(Level.Invocation)
  public void empty() {
    store.clear();
    System.gc();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  @Benchmark
  public void Put() {
    for (int i = 0; i < FILL; i++) {
      Keys.putIntBE(key, i);
      store.put(key, value);
    }
  }

  @Benchmark
  public void PutRandom() {
    for (int i = 0; i < FILL; i++) {
      Keys.putIntLE(key, random[i]);
      store.put(key, value);
    }
  }

  @Benchmark
  public void LargeIndex() {
    for (int i = 0; i < FILL; i++) {
      Keys.putIntLE(bigKey, i);
      store.put(bigKey, bigKey);
    }
  }
}
