package dev.memdb.bench.seed;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * One system's {@code <system>-<op>.hlog} files: every measured second's interval histogram of an
 * operation (all threads' {@link OpRecorder} intervals added up), written with HdrHistogram's {@link
 * HistogramLogWriter}, with the configuration as comment lines, the start time (the start of the
 * measured seconds, after the warm-up) and each interval's start and end. Values are in
 * nanoseconds (the max column in milliseconds). Read them with {@code HistogramLogReader}, {@code
 * HistogramLogProcessor} or HdrHistogram's HistogramLogAnalyzer.
 */
final class IntervalLogs implements AutoCloseable {
  private final Path[] files;
  private final PrintStream[] streams;
  private final HistogramLogWriter[] writers;
  private final long[] counts;

  IntervalLogs(Path dir, String system, String[] ops, long startEpochMillis, List<String> comments) throws IOException {
    files = new Path[ops.length];
    streams = new PrintStream[ops.length];
    writers = new HistogramLogWriter[ops.length];
    counts = new long[ops.length];
    for (int op = 0; op < ops.length; op++) {
      files[op] = dir.resolve(system + "-" + ops[op] + ".hlog");
      streams[op] = new PrintStream(Files.newOutputStream(files[op]), false, "UTF-8");
      HistogramLogWriter w = new HistogramLogWriter(streams[op]);
      w.outputComment("memdb seed scenario: " + system + " " + ops[op]
          + " latency, one interval histogram per measured second, values in ns (coordinated-omission corrected)");
      for (String c : comments) {
        w.outputComment(c);
      }
      w.outputLogFormatVersion();
      w.outputStartTime(startEpochMillis);
      w.setBaseTime(startEpochMillis);
      w.outputLegend();
      writers[op] = w;
    }
  }

  /** Writes one interval of one operation; the histogram's time stamps are set to the interval's. */
  void write(int op, Histogram interval, long startEpochMillis, long endEpochMillis) {
    interval.setStartTimeStamp(startEpochMillis);
    interval.setEndTimeStamp(endEpochMillis);
    writers[op].outputIntervalHistogram(interval);
    counts[op] += interval.getTotalCount();
  }

  /**
   * Closes the logs and deletes those of operations that recorded nothing (e.g. no rollback in a
   * short run); returns the files kept.
   */
  List<Path> finish() throws IOException {
    close();
    List<Path> kept = new ArrayList<>();
    for (int op = 0; op < files.length; op++) {
      if (counts[op] == 0) {
        Files.deleteIfExists(files[op]);
      } else {
        kept.add(files[op]);
      }
    }
    return kept;
  }

  @Override
  public void close() {
    for (PrintStream s : streams) {
      s.close();
    }
  }
}
