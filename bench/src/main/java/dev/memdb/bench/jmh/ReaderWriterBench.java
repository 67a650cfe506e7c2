package dev.memdb.bench.jmh;

import dev.memdb.bench.store.KvStore;
import dev.memdb.bench.store.Keys;
import dev.memdb.bench.store.MemDbStore;
import dev.memdb.bench.store.Stores;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * A reader beside a writer: the reader's share of its solo throughput. The store is prefilled with
 * {@code size} random 16-byte keys / 128-byte values (as in GetRandom).
 *
 * <ul>
 *   <li>{@code ReaderBesideWriter} (a JMH group, 2 threads): {@code writer} inserts new keys as fast
 *       as it can (spread over the whole key range), {@code reader} gets random prefilled keys into a
 *       caller's array.
 *   <li>{@code ReaderAlone}: the same reader with no writer.
 * </ul>
 *
 * <b>Reader share</b> = {@code ReaderBesideWriter:reader} / {@code ReaderAlone} (ops/µs); the target
 * is at least 80 % for memdb. {@code ReaderLatencyBesideWriter} and {@code ReaderLatencyAlone} run
 * the same threads in JMH's sample-time mode: the reader's latency percentiles (the target: p99.9
 * beside the writer within 10x its p50). memdb and the skip list run as they are; {@code treemap} and {@code
 * rocksdb} sit behind a non-fair {@code ReentrantReadWriteLock}, which is what makes them usable
 * here at all. The writer's keys are removed after every iteration (memdb: they are written in a
 * stage opened at the start of the iteration and rolled back with {@code cleanup}; the peers remove
 * them one by one), and the next iteration writes the same keys again, so the store stays near its
 * prefilled size.
 *
 * <p>Run with: {@code scripts/bench-jmh ReaderWriterBench} (or {@code java -jar
 * bench/target/benchmarks.jar ReaderWriterBench -prof gc})
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReaderWriterBench {

  /** The shared store and the writer's position. */
  @State(Scope.Group)
  public static class Shared {
    @Param({Stores.MEMDB, Stores.TREEMAP, Stores.SKIPLIST, Stores.ROCKSDB})
    public String impl;

    @Param("1000000")
    public int size;

    KvStore store;
    int[] random;
    final byte[] value = Keys.value(Keys.VALUE_SIZE);
    final byte[] writerKey = new byte[Keys.KEY_SIZE];
    long written;
    int stage;

    @Setup(Level.Trial)
    public void fill() {
      store = Stores.openConcurrent(impl);
      random = Keys.randomInts(size, 42);
      byte[] key = new byte[Keys.KEY_SIZE];
      for (int i = 0; i < size; i++) {
        Keys.putIntLE(key, random[i]);
        store.put(key, value);
      }
    }

    @Setup(Level.Iteration)
    public void beginWrites() {
      written = 0;
      if (store instanceof MemDbStore m) {
        stage = m.db().staging();
      }
    }

    @TearDown(Level.Iteration)
    public void undoWrites() {
      if (store instanceof MemDbStore m) {
        m.db().cleanup(stage);
      } else {
        byte[] key = new byte[Keys.KEY_SIZE];
        for (long j = 0; j < written; j++) {
          writerKey(key, j);
          store.remove(key);
        }
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      store.close();
    }

    /**
     * The writer's j-th key: a scrambled int in bytes 0–3 spreads inserts over the whole tree, and
     * j + 1 in bytes 4–11 keeps it apart from the prefilled keys (whose bytes 4–15 are zero).
     */
    static void writerKey(byte[] key, long j) {
      Keys.putIntLE(key, (int) (j * 0x9E3779B97F4A7C15L >>> 32));
      long v = j + 1;
      for (int b = 0; b < 8; b++) {
        key[4 + b] = (byte) (v >>> (56 - 8 * b));
      }
    }
  }

  /** The reader's key buffer, destination and position. */
  @State(Scope.Thread)
  public static class Reader {
    final byte[] key = new byte[Keys.KEY_SIZE];
    final byte[] dst = new byte[Keys.VALUE_SIZE];
    int i;
  }

  @Benchmark
  @Group("ReaderBesideWriter")
  @GroupThreads(1)
  public void writer(Shared s) {
    Shared.writerKey(s.writerKey, s.written++);
    s.store.put(s.writerKey, s.value);
  }

  @Benchmark
  @Group("ReaderBesideWriter")
  @GroupThreads(1)
  public int reader(Shared s, Reader r) {
    return read(s, r);
  }

  @Benchmark
  @Group("ReaderAlone")
  @GroupThreads(1)
  public int readerAlone(Shared s, Reader r) {
    return read(s, r);
  }

  /** The same writer, for the latency group. */
  @Benchmark
  @Group("ReaderLatencyBesideWriter")
  @GroupThreads(1)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void latencyWriter(Shared s) {
    writer(s);
  }

  /** The same reader, each call's latency sampled: p50 against p99.9 beside the writer. */
  @Benchmark
  @Group("ReaderLatencyBesideWriter")
  @GroupThreads(1)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int latencyReader(Shared s, Reader r) {
    return read(s, r);
  }

  /** The reader's latency with no writer, for reference. */
  @Benchmark
  @Group("ReaderLatencyAlone")
  @GroupThreads(1)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int latencyReaderAlone(Shared s, Reader r) {
    return read(s, r);
  }

  private static int read(Shared s, Reader r) {
    int i = r.i;
    r.i = i + 1 == s.size ? 0 : i + 1;
    Keys.putIntLE(r.key, s.random[i]);
    return s.store.get(r.key, r.dst);
  }
}
