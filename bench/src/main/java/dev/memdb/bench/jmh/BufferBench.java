package dev.memdb.bench.jmh;

import dev.memdb.bench.store.KvStore;
import dev.memdb.bench.store.Keys;
import dev.memdb.bench.store.Stores;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
 * The Go benchmarks over 100,000 keys that are 10-digit zero-padded decimals (Go {@code
 * encodeInt}), key = value. One operation is a whole pass, so scores are µs per pass.
 *
 * <ul>
 *   <li>{@code MemDbBufferSequential}: set all keys in ascending order, then get all of them; the
 *       same store is used by every operation, as in Go (from the second pass on, sets overwrite).
 *   <li>{@code MemDbBufferRandom}: the same with the keys shuffled (fixed seed).
 *   <li>{@code MemDbIter}: the store is preloaded with the keys; one full forward iteration, not
 *       reading keys or values (Go's loop only calls Valid and Next).
 *   <li>{@code SnapshotIter}: preloaded, then a stage is opened (memdb); one full iteration of a new
 *       snapshot. The peers have no snapshots and iterate the live map.
 * </ul>
 *
 * <p>Run with: {@code scripts/bench-jmh BufferBench} (or {@code java -jar
 * bench/target/benchmarks.jar BufferBench -prof gc})
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BufferBench {
  /** Go's opCnt. */
  public static final int OP_COUNT = 100_000;

  @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
  public String impl;

  private KvStore store;
  private byte[][] sequential;
  private byte[][] shuffled;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    store = Stores.open(impl);
    sequential = new byte[OP_COUNT][];
    List<byte[]> list = new ArrayList<>(OP_COUNT);
    for (int i = 0; i < OP_COUNT; i++) {
      sequential[i] = Keys.tenDigits(i);
      list.add(sequential[i]);
    }
    Collections.shuffle(list, new Random(42));
    shuffled = list.toArray(new byte[0][]);
    String name = params.getBenchmark();
    if (name.endsWith("Iter")) {
      for (byte[] k : sequential) {
        store.put(k, k);
      }
      if (name.endsWith("SnapshotIter")) {
        store.stage();
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  private static void setGet(KvStore store, byte[][] keys, Blackhole bh) {
    for (byte[] k : keys) {
      store.put(k, k);
    }
    for (byte[] k : keys) {
      bh.consume(store.get(k));
    }
  }

  @Benchmark
  public void MemDbBufferSequential(Blackhole bh) {
    setGet(store, sequential, bh);
  }

  @Benchmark
  public void MemDbBufferRandom(Blackhole bh) {
    setGet(store, shuffled, bh);
  }

  @Benchmark
  public long MemDbIter() {
    return store.iterateAll();
  }

  @Benchmark
  public long SnapshotIter() {
    return store.snapshotIterateAll();
  }
}
