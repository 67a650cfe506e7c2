package dev.memdb.bench.growth;

import dev.memdb.bench.store.KvStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Issue 10's growth benchmark: one writer fills an empty store with {@code --keys} distinct keys,
 * every single write timed with {@code System.nanoTime} into an HdrHistogram. It reports service
 * time (no coordinated-omission correction: nothing waits on a schedule), so its maximum is the
 * longest single write: the number a locker queued behind the writer would feel.
 *
 * <p>Each system runs {@code --rounds} rounds, each on a fresh store; the first {@code
 * --warmup-rounds} are reported apart. With {@code --trim-pool}, memdb's block pool is emptied
 * before every round, so every round grows into fresh memory as a process's first transaction does;
 * without it, later rounds reuse the blocks earlier ones gave back, as a process running one
 * transaction after another does.
 */
public final class GrowthBenchmark {
  private GrowthBenchmark() {}

  /** The result of one system: every measured write, and each round's longest and total. */
  record Result(GrowthSystem system, Histogram writes, List<long[]> rounds) {}

  /**
   * Runs the benchmark.
   *
   * @param args the options; {@code --help} lists them
   * @throws IOException if the results cannot be written
   */
  public static void main(String[] args) throws IOException {
    GrowthOptions o = GrowthOptions.parse(args);
    if (o.help) {
      System.out.println(GrowthOptions.HELP);
      return;
    }
    byte[][] keys = keys(o.keys, o.ascending);
    byte[] value = new byte[o.valueSize];
    List<Result> results = new ArrayList<>();
    for (GrowthSystem s : o.systems) {
      results.add(run(s, keys, value, o, System.out));
    }
    String report = o.header() + "\n" + table(results, o);
    System.out.println();
    System.out.print(report);
    if (o.out != null) {
      Files.createDirectories(o.out);
      Files.writeString(o.out.resolve("summary.txt"), report);
      for (Result r : results) {
        try (PrintStream ps = new PrintStream(o.out.resolve(r.system().name() + ".hgrm").toFile())) {
          r.writes().outputPercentileDistribution(ps, 1000.0);
        }
      }
      System.out.println("Results in " + o.out);
    }
  }

  /** Distinct 16-byte keys: a counter in the first 8 bytes, in ascending or shuffled order. */
  static byte[][] keys(int n, boolean ascending) {
    byte[][] keys = new byte[n][16];
    Random rnd = new Random(42);
    for (int i = 0; i < n; i++) {
      long v = i;
      rnd.nextBytes(keys[i]); // a random tail; the head, written next, makes the key unique
      for (int b = 0; b < 8; b++) {
        keys[i][b] = (byte) (v >>> (56 - 8 * b));
      }
    }
    if (!ascending) {
      for (int i = n - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        byte[] t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
      }
    }
    return keys;
  }

  /** Fills a fresh store per round; measured rounds go into one histogram. */
  static Result run(GrowthSystem s, byte[][] keys, byte[] value, GrowthOptions o, PrintStream log) {
    Histogram writes = new Histogram(3_600_000_000_000L, 3);
    List<long[]> rounds = new ArrayList<>();
    for (int r = 0; r < o.warmupRounds + o.rounds; r++) {
      Histogram round = new Histogram(3_600_000_000_000L, 3);
      long start = System.nanoTime();
      try (KvStore store = s.open(o.trimPool)) {
        for (byte[] k : keys) {
          long t = System.nanoTime();
          store.put(k, value);
          round.recordValue(System.nanoTime() - t);
        }
      }
      long total = System.nanoTime() - start;
      boolean warmup = r < o.warmupRounds;
      log.printf(
          "%-14s round %d%s: %,d writes in %,d ms, longest %,.1f µs%n",
          s.name(),
          r,
          warmup ? " (warm-up)" : "",
          keys.length,
          total / 1_000_000,
          round.getMaxValue() / 1000.0);
      if (!warmup) {
        writes.add(round);
        rounds.add(new long[] {round.getMaxValue(), total});
      }
    }
    return new Result(s, writes, rounds);
  }

  /** The report: percentiles of single writes in µs, and each measured round's longest write. */
  static String table(List<Result> results, GrowthOptions o) {
    StringBuilder b = new StringBuilder();
    b.append("Single-write latency in µs (service time, no coordinated-omission correction)\n");
    b.append(
        String.format(
            "%-14s %12s %9s %9s %9s %9s %9s   %s%n",
            "system", "writes", "p50", "p99", "p99.9", "p99.99", "max", "longest write per round (ms)"));
    for (Result r : results) {
      Histogram h = r.writes();
      StringBuilder perRound = new StringBuilder();
      for (long[] round : r.rounds()) {
        perRound.append(String.format(" %.2f", round[0] / 1e6));
      }
      b.append(
          String.format(
              "%-14s %,12d %9.2f %9.2f %9.2f %9.2f %9.1f  %s%n",
              r.system().name(),
              h.getTotalCount(),
              h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0,
              h.getValueAtPercentile(99.9) / 1000.0,
              h.getValueAtPercentile(99.99) / 1000.0,
              h.getMaxValue() / 1000.0,
              perRound));
    }
    return b.toString();
  }
}
