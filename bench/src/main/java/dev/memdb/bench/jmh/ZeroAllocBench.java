package dev.memdb.bench.jmh;

import dev.memdb.MemDB;
import dev.memdb.bench.store.Keys;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * memdb's allocation-free API against its allocating forms, on the GetRandom / PutRandom workloads
 * (16-byte keys with a random little-endian int in bytes 0–3, 128-byte values; gets on a store
 * prefilled with {@code size} keys; puts into a store reset every {@code size} puts). Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} must be 0 B/op for {@code GetRandomIntoArray},
 * {@code GetRandomIntoSegment}, {@code PutRandomSegment} and {@code PutRandomArray}, and 144 B/op
 * (the returned {@code byte[128]}) for {@code GetRandomAlloc}. {@code GetIntoArray} is Get's
 * sequential workload read into a caller's array (the Go client's Get copies nothing either).
 *
 * <p>Run with: {@code scripts/bench-jmh ZeroAllocBench} (or {@code java -jar
 * bench/target/benchmarks.jar ZeroAllocBench -prof gc})
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ZeroAllocBench {
  private static final ValueLayout.OfInt INT_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @Param("1000000")
  public int size;

  private MemDB filled;
  private MemDB sequential;
  private int s;
  private MemDB writes;
  private int[] random;
  private final byte[] key = new byte[Keys.KEY_SIZE];
  private final byte[] value = Keys.value(Keys.VALUE_SIZE);
  private final byte[] dst = new byte[Keys.VALUE_SIZE];
  private MemorySegment keySeg;
  private MemorySegment valueSeg;
  private MemorySegment dstSeg;
  private int i;
  private int w;

  @Setup(Level.Trial)
  public void setUp() {
    random = Keys.randomInts(size, 42);
    filled = MemDB.create();
    for (int j = 0; j < size; j++) {
      Keys.putIntLE(key, random[j]);
      filled.set(key, value);
    }
    sequential = MemDB.create();
    for (int j = 0; j < size; j++) {
      Keys.putIntBE(key, j);
      sequential.set(key, value);
    }
    writes = MemDB.create();
    Arena arena = Arena.ofAuto();
    keySeg = arena.allocate(Keys.KEY_SIZE);
    valueSeg = arena.allocate(Keys.VALUE_SIZE);
    valueSeg.copyFrom(MemorySegment.ofArray(value));
    dstSeg = arena.allocate(Keys.VALUE_SIZE);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    filled.close();
    sequential.close();
    writes.close();
  }

  private int nextRead() {
    int r = random[i];
    i = i + 1 == size ? 0 : i + 1;
    return r;
  }

  private int nextWrite() {
    int r = random[w];
    if (++w == size) {
      w = 0;
      writes.reset();
    }
    return r;
  }

  @Benchmark
  public byte[] GetRandomAlloc() {
    Keys.putIntLE(key, nextRead());
    return filled.get(key);
  }

  /** Get's workload (big-endian counter keys in order) read into a caller's array. */
  @Benchmark
  public int GetIntoArray() {
    Keys.putIntBE(key, s);
    s = s + 1 == size ? 0 : s + 1;
    return sequential.get(key, dst);
  }

  @Benchmark
  public int GetRandomIntoArray() {
    Keys.putIntLE(key, nextRead());
    return filled.get(key, dst);
  }

  @Benchmark
  public long GetRandomIntoSegment() {
    keySeg.set(INT_LE, 0, nextRead());
    return filled.get(keySeg, dstSeg);
  }

  @Benchmark
  public void PutRandomArray() {
    Keys.putIntLE(key, nextWrite());
    writes.set(key, value);
  }

  @Benchmark
  public void PutRandomSegment() {
    keySeg.set(INT_LE, 0, nextWrite());
    writes.set(keySeg, valueSeg);
  }
}
