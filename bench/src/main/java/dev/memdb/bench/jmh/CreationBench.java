package dev.memdb.bench.jmh;

import dev.memdb.bench.store.KvStore;
import dev.memdb.bench.store.Keys;
import dev.memdb.bench.store.Stores;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Go's BenchmarkMemDbCreation, made into the cost of a short transaction's buffer: create a store,
 * write one 16-byte key with a 128-byte value, close it (memdb: {@code MemDB.create()}, {@code set},
 * {@code close()}; the first write allocates the first blocks, the close gives them back to memdb's
 * block pool). Sampled, so the output has the median (p0.50) the target is about (under 1 µs).
 *
 * <p>Run with: {@code scripts/bench-jmh CreationBench} (or {@code java -jar
 * bench/target/benchmarks.jar CreationBench -prof gc})
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CreationBench {
  @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
  public String impl;

  private final byte[] key = new byte[Keys.KEY_SIZE];
  private final byte[] value = Keys.value(Keys.VALUE_SIZE);
  private int i;

  @Benchmark
  public void MemDbCreation() {
    try (KvStore store = Stores.open(impl)) {
      Keys.putIntBE(key, i++);
      store.put(key, value);
    }
  }
}
