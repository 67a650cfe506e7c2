package dev.memdb.bench.growth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The growth benchmark, run tiny: every write is recorded once per measured round. */
class GrowthBenchmarkTest {
  @Test
  void keysAreDistinctAndShuffledOrAscending() {
    byte[][] random = GrowthBenchmark.keys(5000, false);
    byte[][] ascending = GrowthBenchmark.keys(5000, true);
    Set<String> distinct = new HashSet<>();
    for (byte[] k : random) {
      assertEquals(16, k.length);
      distinct.add(Arrays.toString(k));
    }
    assertEquals(5000, distinct.size());
    for (int i = 1; i < ascending.length; i++) {
      assertTrue(Arrays.compareUnsigned(ascending[i - 1], ascending[i]) < 0, "ascending at " + i);
    }
    int inOrder = 0;
    for (int i = 1; i < random.length; i++) {
      inOrder += Arrays.compareUnsigned(random[i - 1], random[i]) < 0 ? 1 : 0;
    }
    assertTrue(inOrder < 4000, "random order is shuffled: " + inOrder + " ascending pairs");
  }

  @Test
  void everySystemRecordsEveryMeasuredWrite() {
    GrowthOptions o =
        GrowthOptions.parse(
            new String[] {
              "--keys", "20000", "--rounds", "2", "--warmup-rounds", "1", "--trim-pool"
            });
    byte[][] keys = GrowthBenchmark.keys(o.keys, o.ascending);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<GrowthBenchmark.Result> results =
        o.systems.stream()
            .map(s -> GrowthBenchmark.run(s, keys, new byte[o.valueSize], o, new PrintStream(log)))
            .toList();
    assertEquals(List.of("memdb", "memdb-noprep", "treemap", "skiplist"),
        results.stream().map(r -> r.system().name()).toList());
    for (GrowthBenchmark.Result r : results) {
      Histogram h = r.writes();
      assertEquals(2L * keys.length, h.getTotalCount(), r.system().name());
      assertEquals(2, r.rounds().size());
      assertTrue(h.getValueAtPercentile(50) > 0);
      assertTrue(h.getMaxValue() >= h.getValueAtPercentile(99.9));
      long longest = Math.max(r.rounds().get(0)[0], r.rounds().get(1)[0]);
      assertTrue(h.getMaxValue() >= longest * 999 / 1000, "max is a round's longest write");
    }
    String table = GrowthBenchmark.table(results, o);
    for (String name : List.of("memdb ", "memdb-noprep", "treemap", "skiplist")) {
      assertTrue(table.contains(name), table);
    }
    assertTrue(log.toString().contains("(warm-up)"), "the warm-up round is reported apart");
  }
}
