package dev.memdb.bench.jmh;

import dev.memdb.bench.store.KvStore;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Go's BenchmarkMemBufferSetGetLongKey: {@value #COUNT} keys of 1,024 bytes, each a big-endian u64
 * counter written at the front and then the whole key byte-reversed, so all keys share a 1,016-byte
 * zero prefix and differ only in their last 8 bytes (every comparison runs over the whole prefix).
 * One invocation sets all keys (key = value) into an empty store, then gets all of them; the score is
 * per set or get ({@code @OperationsPerInvocation}). The store is emptied before each invocation,
 * outside the measurement.
 *
 * <p>Run with: {@code scripts/bench-jmh LongKeyBench} (or {@code java -jar
 * bench/target/benchmarks.jar LongKeyBench -prof gc})
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LongKeyBench {
  /** Keys per invocation. */
  public static final int COUNT = 10_000;

  @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
  public String impl;

  private KvStore store;
  private byte[][] keys;

  @Setup(Level.Trial)
  public void setUp() {
    store = Stores.open(impl);
    keys = new byte[COUNT][];
    for (int i = 0; i < COUNT; i++) {
      byte[] k = new byte[1024];
      long v = i;
      for (int b = 0; b < 8; b++) {
        // BE u64 at the front, then reversed: byte 1023 - b holds BE byte b.
        k[1023 - b] = (byte) (v >>> (56 - 8 * b));
      }
      keys[i] = k;
    }
  }

  @Setup(Level.Invocation)
  public void empty() {
    store.clear();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  @Benchmark
  @OperationsPerInvocation(2 * COUNT)
  public void MemBufferSetGetLongKey(Blackhole bh) {
    for (byte[] k : keys) {
      store.put(k, k);
    }
    for (byte[] k : keys) {
      bh.consume(store.get(k));
    }
  }
}
