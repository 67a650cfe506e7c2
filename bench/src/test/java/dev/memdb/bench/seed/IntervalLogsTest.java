package dev.memdb.bench.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job's .hlog files, read back with HistogramLogReader: one interval per measured second, totals as in .hgrm. */
class IntervalLogsTest {
  private static final Pattern TOTAL = Pattern.compile("Total count\\s*=\\s*(\\d+)\\]");

  @Test
  void aShortRunWritesOneIntervalPerMeasuredSecondAndTheTotalsOfTheHgrm(@TempDir Path dir) throws Exception {
    SeedScenario.main(
        new String[] {
          "--duration", "2", "--warmup", "1", "--keys", "2000", "--write-rate", "2000", "--systems", "skiplist",
          "--out", dir.toString()
        });
    for (String op : List.of("get", "lock", "insert", "scan")) {
      Path hlog = dir.resolve("skiplist-" + op + ".hlog");
      assertTrue(Files.exists(hlog), hlog + " written");
      String text = Files.readString(hlog);
      assertTrue(text.contains("#[StartTime: "), "start time line");
      assertTrue(text.contains("measured per system after 1 s of warm-up"), "configuration comment");
      int intervals = 0;
      Histogram sum = new Histogram(3);
      double lastEnd = 0;
      HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
      for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
        intervals++;
        sum.add((Histogram) h);
        double start = h.getStartTimeStamp() / 1000.0, end = h.getEndTimeStamp() / 1000.0;
        assertTrue(end > start, "an interval ends after it starts");
        assertTrue(lastEnd == 0 || Math.abs(start - lastEnd) < 0.002, "intervals follow each other");
        lastEnd = end;
      }
      assertEquals(2, intervals, op + ": one interval per measured second (--duration 2, warm-up not logged)");
      Matcher m = TOTAL.matcher(Files.readString(dir.resolve("skiplist-" + op + ".hgrm")));
      assertTrue(m.find(), "total count in the .hgrm");
      assertEquals(Long.parseLong(m.group(1)), sum.getTotalCount(), op + ": the intervals add up to the .hgrm's total");
      assertTrue(sum.getTotalCount() > 0);
    }
    assertFalse(Files.readString(dir.resolve("summary.txt")).isEmpty());
    assertTrue(Files.size(dir.resolve("latency.png")) > 0);
  }
}
