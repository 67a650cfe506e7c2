package dev.memdb.bench.seed;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.XYChart;

/**
 * memdb's main job, the seed scenario as a latency benchmark (run it with {@code scripts/bench}).
 *
 * <p>One buffer per system, prefilled with {@code --keys} 16-byte keys and {@code --value-size}
 * values, is shared for {@code --duration} seconds (after {@code --warmup} seconds not recorded) by:
 *
 * <ul>
 *   <li>{@code --threads} lockers, each in a loop: get a random prefilled key, then set its lock flag
 *       ({@code updateFlags(key, SET_KEY_LOCKED)}) — TiDB's UNION of {@code SELECT … FOR UPDATE},
 *       the statement of TiDB issue 49793 (a key already locked is locked again without a write:
 *       memdb's {@code updateFlags} answers it from a lock-free read, the peers check under their
 *       read lock or with a plain read first);
 *   <li>one writer inserting new keys between the existing ones at {@code --write-rate} per second
 *       (0 = as fast as it can), which makes memdb's arenas allocate larger and larger blocks; after
 *       {@code --keys} inserts it rolls them back (memdb: cleanup of its stage; the peers remove
 *       them) and starts again, so memory stays bounded;
 *   <li>one scanner reading {@code --scan-length} entries from a random key, in a loop.
 * </ul>
 *
 * Systems: memdb, {@code TreeMap} behind a {@code ReentrantReadWriteLock}, {@code
 * ConcurrentSkipListMap}. Every operation's latency goes to a per-thread HdrHistogram {@code
 * SingleWriterRecorder} with {@code recordValueWithExpectedInterval}: a stall longer than the
 * expected interval also counts the operations that a steady client would have issued during it
 * (coordinated-omission correction). Output: live progress each second, a percentile table, {@code
 * .hgrm} files (the measured seconds' total per system and op), {@code .hlog} files (each measured
 * second's interval histogram, {@link IntervalLogs}) and PNG charts with the configuration printed
 * under them, in {@code --out}.
 *
 * <p>Run with: {@code scripts/bench} (or {@code java -cp bench/target/benchmarks.jar
 * dev.memdb.bench.seed.SeedScenario --help})
 */
public final class SeedScenario {
  static final String[] OPS = {"get", "lock", "insert", "scan", "rollback"};
  private static final int GET = 0, LOCK = 1, INSERT = 2, SCAN = 3, ROLLBACK = 4;

  private final Options o;
  private final PrintStream out = System.out;

  private SeedScenario(Options o) {
    this.o = o;
  }

  /** The command line. */
  static final class Options {
    int threads = 2;
    long keys = 1_000_000;
    int valueSize = 128;
    int duration = 30;
    int warmup = 5;
    long writeRate = 50_000;
    int scanLength = 100;
    long expectedIntervalMicros = 100;
    List<String> systems = List.of("memdb", "treemap", "skiplist");
    Path outDir;
    List<String> args = List.of();

    static Options parse(String[] args) {
      Options o = new Options();
      o.args = List.of(args);
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v = i + 1 < args.length ? args[i + 1] : null;
        switch (a) {
          case "--help", "-h" -> {
            usage(System.out);
            System.exit(0);
          }
          case "--threads" -> o.threads = Integer.parseInt(need(a, v));
          case "--keys" -> o.keys = Long.parseLong(need(a, v).replace("_", "").replace(",", ""));
          case "--value-size" -> o.valueSize = Integer.parseInt(need(a, v));
          case "--duration" -> o.duration = Integer.parseInt(need(a, v));
          case "--warmup" -> o.warmup = Integer.parseInt(need(a, v));
          case "--write-rate" -> o.writeRate = Long.parseLong(need(a, v).replace("_", "").replace(",", ""));
          case "--scan-length" -> o.scanLength = Integer.parseInt(need(a, v));
          case "--expected-interval-us" -> o.expectedIntervalMicros = Long.parseLong(need(a, v));
          case "--systems" -> o.systems = List.of(need(a, v).split(","));
          case "--out" -> o.outDir = Path.of(need(a, v));
          default -> {
            System.err.println("unknown option " + a + "\n");
            usage(System.err);
            System.exit(2);
          }
        }
        i++;
      }
      if (o.threads < 1 || o.keys < 1 || o.valueSize < 1 || o.duration < 1 || o.warmup < 0
          || o.scanLength < 1 || o.expectedIntervalMicros < 1 || o.writeRate < 0) {
        System.err.println("every number must be positive (--warmup and --write-rate may be 0)");
        System.exit(2);
      }
      if (o.outDir == null) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        o.outDir = Path.of("bench", "results", "seed-" + stamp);
      }
      return o;
    }

    private static String need(String option, String value) {
      if (value == null) {
        System.err.println(option + " needs a value");
        System.exit(2);
      }
      return value;
    }
  }

  static void usage(PrintStream s) {
    s.println(
        """
        memdb's main job: the seed scenario (TiDB issue 49793) as a latency benchmark.

        Lockers (get, then updateFlags SET_KEY_LOCKED), one writer inserting new keys across block
        enlargements, and one range scanner share one buffer; memdb, a TreeMap behind a
        ReentrantReadWriteLock and a ConcurrentSkipListMap run the same load one after another.
        Every operation's latency is recorded with HdrHistogram (coordinated-omission corrected).

        Usage: scripts/bench [options]
          --threads N               locker threads (default 2)
          --keys N                  prefilled keys, also the writer's round (default 1000000)
          --value-size N            value bytes (default 128; keys are 16 bytes)
          --duration S              measured seconds per system (default 30)
          --warmup S                unrecorded seconds per system before that (default 5)
          --write-rate N            writer inserts per second, 0 = as fast as it can (default 50000)
          --scan-length N           entries per range scan (default 100)
          --expected-interval-us N  coordinated-omission expected interval of lockers and
                                    scanner (default 100; the writer uses 1/write-rate)
          --systems a,b,c           subset of memdb,memdb-noprep,memdb-onechunk,treemap,skiplist (default memdb,treemap,skiplist)
          --out DIR                 results folder (default bench/results/seed-<timestamp>)
          --help                    this text

        Writes to DIR:
          summary.txt               the configuration and the table
          <system>-<op>.hgrm        percentile distribution of the measured seconds (µs),
                                    HdrHistogram's outputPercentileDistribution
          <system>-<op>.hlog        one interval histogram per measured second (HistogramLogWriter:
                                    start time, interval start/end, values in ns; the configuration
                                    as # comment lines); read it with HistogramLogReader,
                                    HistogramLogProcessor or HistogramLogAnalyzer
          latency.png, latency-<op>.png
                                    latency by percentile per system, ops/s in the legend, the
                                    configuration under the chart""");
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Options o = Options.parse(args);
    new SeedScenario(o).run();
  }

  /** One system's results: a total histogram and operation count per op, and notes. */
  static final class Result {
    final String system;
    final Histogram[] total = new Histogram[OPS.length];
    final long[] count = new long[OPS.length];
    double seconds;
    String memory = "";
    String internals = "";
    final List<Path> logs = new ArrayList<>();

    Result(String system) {
      this.system = system;
      for (int i = 0; i < OPS.length; i++) {
        total[i] = new Histogram(3);
      }
    }
  }

  private void run() throws Exception {
    Files.createDirectories(o.outDir);
    String header = header();
    out.print(header);
    List<Result> results = new ArrayList<>();
    for (String name : o.systems) {
      results.add(runSystem(name));
      System.gc();
    }
    String table = table(results);
    out.println();
    out.print(table);
    Files.writeString(o.outDir.resolve("summary.txt"), header + "\n" + table);
    List<Path> files = new ArrayList<>();
    for (Result r : results) {
      for (int op = 0; op < OPS.length; op++) {
        if (r.count[op] == 0) {
          continue;
        }
        Path f = o.outDir.resolve(r.system + "-" + OPS[op] + ".hgrm");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(f), false, "UTF-8")) {
          r.total[op].outputPercentileDistribution(ps, 1000.0); // in µs
        }
        files.add(f);
      }
      files.addAll(r.logs);
    }
    files.addAll(charts(results));
    out.println();
    out.println("Results in " + o.outDir.toAbsolutePath() + ":");
    out.println("  " + o.outDir.resolve("summary.txt"));
    for (Path f : files) {
      out.println("  " + f);
    }
  }

  private final String started =
      LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));

  /** The configuration, one line each: the header of summary.txt, the charts' notes, the .hlog comments. */
  private List<String> configLines() {
    return List.of(header().split("\n"));
  }

  private String header() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Seed scenario: %d locker thread(s) (get + updateFlags SET_KEY_LOCKED), 1 writer (%s), 1 scanner (%d entries)%n",
            o.threads,
            o.writeRate == 0 ? "as fast as it can" : String.format(Locale.ROOT, "%,d inserts/s", o.writeRate),
            o.scanLength));
    b.append(
        String.format(
            Locale.ROOT,
            "%,d prefilled keys of 16 B, values of %d B; %d s measured per system after %d s of warm-up%n",
            o.keys, o.valueSize, o.duration, o.warmup));
    b.append(
        String.format(
            Locale.ROOT,
            "Coordinated-omission correction: expected interval %d µs for lockers and scanner, %s for the writer%n",
            o.expectedIntervalMicros,
            o.writeRate == 0 ? o.expectedIntervalMicros + " µs" : String.format(Locale.ROOT, "%.1f µs", 1e6 / o.writeRate)));
    b.append("JDK: ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.runtime.version"))
        .append("; CPU: ")
        .append(cpu())
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores; max heap ")
        .append(Runtime.getRuntime().maxMemory() >> 20)
        .append(" MiB\n");
    b.append("Systems, one after another: ")
        .append(String.join(", ", o.systems))
        .append("; fixed seeds: lockers 1000+i, scanner 7 (keys: a scramble of the index, no randomness); started ")
        .append(started)
        .append('\n');
    b.append("Command: scripts/bench ").append(String.join(" ", o.args)).append('\n');
    return b.toString();
  }

  private static String cpu() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private Result runSystem(String name) throws InterruptedException, IOException {
    Result result = new Result(name);
    SeedKeys keys = new SeedKeys(o.keys);
    byte[] value = new byte[o.valueSize];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 31 + 7);
    }
    long heapBefore = usedHeap();
    SeedSystem sys = SeedSystem.open(name);
    try {
      long t0 = System.nanoTime();
      byte[] key = new byte[keys.keySize()];
      for (long i = 0; i < o.keys; i++) {
        keys.prefilledKey(key, i);
        sys.insert(key, value);
      }
      double fillSeconds = (System.nanoTime() - t0) / 1e9;
      long perEntryBase = keys.keySize() + o.valueSize;
      if (sys.offHeapBytes() >= 0) {
        result.memory =
            String.format(
                Locale.ROOT,
                "%.0f B/entry off-heap (key + value = %d B), heap %+.1f B/entry",
                (double) sys.offHeapBytes() / o.keys,
                perEntryBase,
                (double) (usedHeap() - heapBefore) / o.keys);
      } else {
        result.memory =
            String.format(
                Locale.ROOT,
                "%.0f B/entry of heap (key + value = %d B)",
                (double) (usedHeap() - heapBefore) / o.keys,
                perEntryBase);
      }
      out.printf(Locale.ROOT, "%n== %s: prefilled %,d keys in %.1f s; %s%n", name, o.keys, fillSeconds, result.memory);
      measure(sys, keys, value, result);
      result.internals = sys.internals();
    } finally {
      sys.close();
    }
    return result;
  }

  private void measure(SeedSystem sys, SeedKeys keys, byte[] value, Result result)
      throws InterruptedException, IOException {
    long expected = TimeUnit.MICROSECONDS.toNanos(o.expectedIntervalMicros);
    long writerInterval = o.writeRate == 0 ? expected : Math.max(1, 1_000_000_000L / o.writeRate);
    List<OpRecorder[]> recorders = new ArrayList<>(); // per thread, indexed by op
    List<Thread> threads = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    sys.beginWriterRound();

    for (int t = 0; t < o.threads; t++) {
      OpRecorder[] rec = recorders(expected);
      recorders.add(rec);
      long seed = 1000 + t;
      threads.add(
          Thread.ofPlatform().name("locker-" + t).unstarted(() -> locker(sys, keys, rec, seed, start, stop)));
    }
    OpRecorder[] wrec = recorders(writerInterval);
    recorders.add(wrec);
    threads.add(
        Thread.ofPlatform().name("writer").unstarted(() -> writer(sys, keys, value, wrec, writerInterval, start, stop)));
    OpRecorder[] srec = recorders(expected);
    recorders.add(srec);
    threads.add(Thread.ofPlatform().name("scanner").unstarted(() -> scanner(sys, keys, srec, start, stop)));
    for (Thread th : threads) {
      th.setDaemon(true);
      th.start();
    }

    long[] lastDone = new long[OPS.length];
    IntervalLogs logs = null;
    long begin = System.nanoTime();
    long lastTickMillis = System.currentTimeMillis();
    start.countDown();
    int total = o.warmup + o.duration;
    long measuredFrom = 0;
    long[] doneAtMeasureStart = new long[OPS.length];
    for (int second = 1; second <= total; second++) {
      long deadline = begin + TimeUnit.SECONDS.toNanos(second);
      while (System.nanoTime() < deadline) {
        LockSupport.parkNanos(deadline - System.nanoTime());
      }
      boolean warm = second <= o.warmup;
      long tickMillis = System.currentTimeMillis();
      if (!warm && logs == null) {
        logs = new IntervalLogs(o.outDir, result.system, OPS, lastTickMillis, configLines());
      }
      Histogram[] interval = new Histogram[OPS.length];
      long[] done = new long[OPS.length];
      for (int op = 0; op < OPS.length; op++) {
        interval[op] = new Histogram(3);
        for (OpRecorder[] rec : recorders) {
          if (rec[op] != null) {
            interval[op].add(rec[op].interval());
            done[op] += rec[op].done();
          }
        }
        if (!warm) {
          result.total[op].add(interval[op]);
          logs.write(op, interval[op], lastTickMillis, tickMillis);
        }
      }
      lastTickMillis = tickMillis;
      if (second == o.warmup) {
        measuredFrom = System.nanoTime();
        doneAtMeasureStart = done.clone();
      }
      progress(sys.name(), second, warm, interval, done, lastDone);
      lastDone = done;
      if (second == total) {
        result.seconds = (System.nanoTime() - (o.warmup == 0 ? begin : measuredFrom)) / 1e9;
        for (int op = 0; op < OPS.length; op++) {
          result.count[op] = done[op] - doneAtMeasureStart[op];
        }
      }
    }
    stop.set(true);
    for (Thread th : threads) {
      th.join(TimeUnit.SECONDS.toMillis(60));
    }
    result.logs.addAll(logs.finish());
  }

  private static OpRecorder[] recorders(long expectedNanos) {
    OpRecorder[] rec = new OpRecorder[OPS.length];
    for (int op = 0; op < OPS.length; op++) {
      rec[op] = new OpRecorder(expectedNanos);
    }
    return rec;
  }

  private void progress(String name, int second, boolean warm, Histogram[] interval, long[] done, long[] last) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "[%-8s %3ds%s]", name, second, warm ? " warm-up" : ""));
    for (int op : new int[] {GET, LOCK, INSERT, SCAN}) {
      long n = done[op] - last[op];
      b.append(
          String.format(
              Locale.ROOT,
              " %s %s/s p99 %s |",
              OPS[op],
              rate(n),
              micros(interval[op].getTotalCount() == 0 ? 0 : interval[op].getValueAtPercentile(99))));
    }
    if (done[ROLLBACK] > last[ROLLBACK]) {
      b.append(" writer rolled back");
    }
    b.setLength(b.length() - (b.charAt(b.length() - 1) == '|' ? 2 : 0));
    out.println(b);
  }

  private static String rate(double n) {
    if (n >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", n / 1e6);
    }
    if (n >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", n / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", n);
  }

  private static String micros(long nanos) {
    double us = nanos / 1000.0;
    if (us >= 1000) {
      return String.format(Locale.ROOT, "%,.0fµs", us);
    }
    if (us >= 10) {
      return String.format(Locale.ROOT, "%.1fµs", us);
    }
    return String.format(Locale.ROOT, "%.2fµs", us);
  }

  private void locker(
      SeedSystem sys, SeedKeys keys, OpRecorder[] rec, long seed, CountDownLatch start,
      java.util.concurrent.atomic.AtomicBoolean stop) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] key = new byte[keys.keySize()];
    byte[] dst = new byte[o.valueSize];
    long sink = 0;
    await(start);
    while (!stop.get()) {
      keys.prefilledKey(key, random.nextLong(o.keys));
      long t0 = System.nanoTime();
      sink += sys.get(key, dst);
      long t1 = System.nanoTime();
      sys.lock(key);
      long t2 = System.nanoTime();
      rec[GET].record(t1 - t0);
      rec[LOCK].record(t2 - t1);
    }
    if (sink == 42) {
      System.out.print("");
    }
  }

  private void writer(
      SeedSystem sys, SeedKeys keys, byte[] value, OpRecorder[] rec, long interval,
      CountDownLatch start, java.util.concurrent.atomic.AtomicBoolean stop) {
    byte[] key = new byte[keys.keySize()];
    long j = 0;
    await(start);
    long next = System.nanoTime();
    while (!stop.get()) {
      if (o.writeRate > 0) {
        long now = System.nanoTime();
        if (now < next) {
          LockSupport.parkNanos(next - now);
          continue;
        }
        next += interval;
        if (now - next > TimeUnit.SECONDS.toNanos(1)) {
          next = now; // more than a second behind: the system cannot take this rate; do not burst
        }
      }
      if (j == o.keys) {
        long t0 = System.nanoTime();
        sys.rollbackWriterRound(j, keys);
        rec[ROLLBACK].record(System.nanoTime() - t0);
        j = 0;
      }
      keys.writerKey(key, j++);
      long t0 = System.nanoTime();
      sys.insert(key, value);
      rec[INSERT].record(System.nanoTime() - t0);
    }
  }

  private void scanner(
      SeedSystem sys, SeedKeys keys, OpRecorder[] rec, CountDownLatch start,
      java.util.concurrent.atomic.AtomicBoolean stop) {
    SplittableRandom random = new SplittableRandom(7);
    byte[] key = new byte[keys.keySize()];
    long sink = 0;
    await(start);
    while (!stop.get()) {
      keys.prefilledKey(key, random.nextLong(o.keys));
      long t0 = System.nanoTime();
      sink += sys.scan(key, o.scanLength);
      rec[SCAN].record(System.nanoTime() - t0);
    }
    if (sink == 42) {
      System.out.print("");
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String table(List<Result> results) {
    StringBuilder b = new StringBuilder();
    b.append("Latency in µs (corrected for coordinated omission); ops/s = operations really done per second\n");
    String fmt = "%-12s %-8s %12s %13s %9s %9s %9s %9s %10s%n";
    b.append(String.format(Locale.ROOT, fmt, "system", "op", "ops/s", "count", "p50", "p90", "p99", "p99.9", "max"));
    for (int op = 0; op < OPS.length; op++) {
      for (Result r : results) {
        Histogram h = r.total[op];
        if (r.count[op] == 0 && op == ROLLBACK) {
          continue;
        }
        b.append(
            String.format(
                Locale.ROOT,
                fmt,
                r.system,
                OPS[op],
                String.format(Locale.ROOT, "%,.0f", r.count[op] / r.seconds),
                String.format(Locale.ROOT, "%,d", r.count[op]),
                us(h, 50),
                us(h, 90),
                us(h, 99),
                us(h, 99.9),
                us(h, 100)));
      }
    }
    StringBuilder worst = new StringBuilder("Worst write-side p99.9 (lock, insert):");
    for (Result r : results) {
      worst.append(r == results.get(0) ? " " : " | ").append(worstWrite(r.system, r.total));
    }
    b.append(worst).append('\n');
    b.append("Memory after the prefill:\n");
    for (Result r : results) {
      b.append(String.format(Locale.ROOT, "  %-12s %s%n", r.system, r.memory));
    }
    for (Result r : results) {
      if (!r.internals.isEmpty()) {
        b.append(
            String.format(
                Locale.ROOT, "Counted by %s (warm-up and measurement): %s%n", r.system, r.internals));
      }
    }
    return b.toString();
  }

  /**
   * The larger of a system's lock and insert p99.9, and which op it came from: the tail a locker or
   * an inserting statement feels (a rollback, one op per run, has its own line in the table).
   *
   * @param system the system's name
   * @param total the system's histograms, indexed as {@link #OPS}
   * @return e.g. {@code memdb 4,723 µs (lock)}, or {@code memdb -} if neither op ran
   */
  static String worstWrite(String system, Histogram[] total) {
    int worst = -1;
    for (int op : new int[] {LOCK, INSERT}) {
      if (total[op].getTotalCount() > 0
          && (worst < 0
              || total[op].getValueAtPercentile(99.9) > total[worst].getValueAtPercentile(99.9))) {
        worst = op;
      }
    }
    return worst < 0
        ? system + " -"
        : system + " " + us(total[worst], 99.9) + " µs (" + OPS[worst] + ")";
  }

  private static String us(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    long v = percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
    double us = v / 1000.0;
    return us >= 100 ? String.format(Locale.ROOT, "%,.0f", us) : String.format(Locale.ROOT, "%.2f", us);
  }

  private List<Path> charts(List<Result> results) throws IOException {
    List<Path> files = new ArrayList<>();
    List<XYChart> grid = new ArrayList<>();
    for (int op : new int[] {GET, LOCK, INSERT, SCAN}) {
      Map<String, Histogram> bySystem = new LinkedHashMap<>();
      for (Result r : results) {
        // The legend names the system with the operations it really did per second.
        bySystem.put(
            r.system + " (" + rate(r.count[op] / r.seconds) + " ops/s, p99 " + us(r.total[op], 99) + " µs)",
            r.total[op]);
      }
      XYChart chart =
          LatencyChart.chart(
              OPS[op],
              bySystem,
              String.format(Locale.ROOT, "%d s, %d lockers, %,d keys", o.duration, o.threads, o.keys));
      Path f = o.outDir.resolve("latency-" + OPS[op] + ".png");
      LatencyChart.save(chart, configLines(), f);
      files.add(f);
      grid.add(chart);
    }
    Path all = o.outDir.resolve("latency.png");
    LatencyChart.saveGrid(grid, 2, configLines(), all);
    files.add(0, all);
    return files;
  }
}
