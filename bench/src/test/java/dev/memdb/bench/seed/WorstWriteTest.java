package dev.memdb.bench.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The summary's worst write-side p99.9: the larger of lock and insert, named by its op. */
class WorstWriteTest {
  private static Histogram[] histograms(long lockNanos, long insertNanos) {
    Histogram[] h = new Histogram[SeedScenario.OPS.length];
    for (int i = 0; i < h.length; i++) {
      h[i] = new Histogram(3);
    }
    for (int i = 0; i < 1000; i++) {
      if (lockNanos > 0) {
        h[1].recordValue(lockNanos);
      }
      if (insertNanos > 0) {
        h[2].recordValue(insertNanos);
      }
    }
    h[4].recordValue(900_000_000L); // a rollback: not a per-op tail, left out
    return h;
  }

  @Test
  void namesTheOpWithTheLargerTail() {
    // HdrHistogram keeps 3 significant digits: the last digit may round up.
    String memdb = SeedScenario.worstWrite("memdb", histograms(4_720_000, 1_000));
    assertTrue(memdb.matches("memdb 4,72\\d µs \\(lock\\)"), memdb);
    String treemap = SeedScenario.worstWrite("treemap", histograms(500, 7_600));
    assertTrue(treemap.matches("treemap 7\\.6\\d µs \\(insert\\)"), treemap);
  }

  @Test
  void aSystemWithNoWritesSaysSo() {
    assertEquals("skiplist -", SeedScenario.worstWrite("skiplist", histograms(0, 0)));
  }
}
