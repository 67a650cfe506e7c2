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
 * A transaction's commit path: one full ascending iteration of a buffer of {@code size} entries (16
 * B keys, 128 B values), every key and value copied into the caller's arrays. Scores are ns per
 * entry ({@link OperationsPerInvocation}).
 *
 * <ul>
 *   <li>{@code fill=ascending}: the buffer was filled in key order (big-endian counter keys), so
 *       memdb's nodes and values lie in the arenas in iteration order.
 *   <li>{@code fill=random}: the buffer was filled in random key order (random little-endian ints
 *       in bytes 0–3), so memdb's nodes and values lie in insertion order, scattered with respect
 *       to key order; a heap map's nodes are scattered the same way until the GC copies them.
 * </ul>
 *
 * <p>{@code size} is 1,000,000 in the suite. A smaller size (a divisor of 1,000,000, e.g. {@code -p
 * size=1000}, 192 KB of memdb entries) keeps the buffer in the core's cache: an invocation then
 * iterates the buffer {@code 1,000,000 / size} times, so the score is still ns per entry, and it
 * measures the per-entry work without the memory system (whose noise is shared with the machine's
 * other tenants).
 *
 * <p>Run with: {@code scripts/bench-jmh FullIterBench}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FullIterBench {
  /** Entries one invocation iterates; the score divides it by this. */
  public static final int SIZE = 1_000_000;

  /** Entries in the buffer: a divisor of {@link #SIZE}. */
  @Param({"1000000"})
  public int size;

  @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
  public String impl;

  @Param({"ascending", "random"})
  public String fill;

  private KvStore store;
  private final byte[] keyDst = new byte[Keys.KEY_SIZE];
  private final byte[] valueDst = new byte[Keys.VALUE_SIZE];

  @Setup(Level.Trial)
  public void setUp() {
    store = Stores.open(impl);
    if (size <= 0 || SIZE % size != 0) {
      throw new IllegalArgumentException("size must divide " + SIZE + ": " + size);
    }
    int[] random = Keys.randomInts(size, 42);
    byte[] key = new byte[Keys.KEY_SIZE];
    byte[] value = Keys.value(Keys.VALUE_SIZE);
    boolean ascending = fill.equals("ascending");
    for (int i = 0; i < size; i++) {
      if (ascending) {
        Keys.putIntBE(key, i);
      } else {
        Keys.putIntLE(key, random[i]);
      }
      store.put(key, value);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  @Benchmark
  @OperationsPerInvocation(SIZE)
  public long FullIteration() {
    long sum = 0;
    for (int i = SIZE / size; i > 0; i--) {
      sum += store.copyAll(keyDst, valueDst);
    }
    return sum;
  }

  /**
   * The same iteration with writers held off for its whole length: memdb's {@code
   * forEachExclusive}, which reads entries in place; the other stores iterate as above.
   */
  @Benchmark
  @OperationsPerInvocation(SIZE)
  public long FullIterationExclusive() {
    long sum = 0;
    for (int i = SIZE / size; i > 0; i--) {
      sum += store.copyAllExclusive(keyDst, valueDst);
    }
    return sum;
  }
}
