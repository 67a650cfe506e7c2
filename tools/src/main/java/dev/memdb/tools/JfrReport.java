package dev.memdb.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of a memdb workload: blocks allocated and freed per second (from
 * {@code dev.memdb.BlockAllocated} / {@code dev.memdb.BlockFreed}), the footprint of all buffers
 * over time (each event carries its buffer's footprint after the change), and NMT "Other" from
 * {@code jdk.NativeMemoryUsage} when the recording has it.
 */
final class JfrReport {
  private JfrReport() {}

  private static final class Second {
    long allocBlocks, allocBytes, freedBlocks, freedBytes, rollbacks, lifecycle;
    long footprintEnd = -1, otherEnd = -1;
  }

  static int write(Path jfr, Path out) throws IOException {
    if (jfr == null) {
      throw new IllegalArgumentException("jfr-report needs --jfr FILE");
    }
    List<RecordedEvent> events = new ArrayList<>();
    try (RecordingFile f = new RecordingFile(jfr)) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        String n = e.getEventType().getName();
        if (n.startsWith("dev.memdb.") || (n.equals("jdk.NativeMemoryUsage") && "Other".equals(e.getString("type")))) {
          events.add(e);
        }
      }
    }
    events.sort((a, b) -> a.getStartTime().compareTo(b.getStartTime()));
    Instant t0 = events.stream()
        .filter(e -> e.getEventType().getName().startsWith("dev.memdb."))
        .map(RecordedEvent::getStartTime).findFirst().orElse(Instant.EPOCH);
    TreeMap<Long, Second> seconds = new TreeMap<>();
    Map<Long, Long> footprintByBuffer = new HashMap<>();
    long total = 0, peak = 0, allocBlocks = 0, allocBytes = 0, freedBlocks = 0, freedBytes = 0, rollbacks = 0, lifecycle = 0;
    long otherFirst = -1;
    List<double[]> fpSeries = new ArrayList<>();
    List<double[]> otherSeries = new ArrayList<>();
    List<double[]> cumAlloc = new ArrayList<>();
    List<double[]> cumFreed = new ArrayList<>();
    for (RecordedEvent e : events) {
      double t = Math.max(0, (e.getStartTime().toEpochMilli() - t0.toEpochMilli()) / 1000.0);
      Second s = seconds.computeIfAbsent((long) Math.floor(t), k -> new Second());
      switch (e.getEventType().getName()) {
        case "dev.memdb.BlockAllocated", "dev.memdb.BlockFreed" -> {
          boolean alloc = e.getEventType().getName().endsWith("Allocated");
          long size = e.getLong("size");
          if (alloc) {
            s.allocBlocks++;
            s.allocBytes += size;
            allocBlocks++;
            allocBytes += size;
          } else {
            s.freedBlocks++;
            s.freedBytes += size;
            freedBlocks++;
            freedBytes += size;
          }
          long fp = e.getLong("footprint");
          Long old = footprintByBuffer.put(e.getLong("buffer"), fp);
          total += fp - (old == null ? 0 : old);
          peak = Math.max(peak, total);
          s.footprintEnd = total;
          fpSeries.add(new double[] {t, total});
          cumAlloc.add(new double[] {t, allocBytes});
          cumFreed.add(new double[] {t, freedBytes});
        }
        case "dev.memdb.Rollback" -> {
          s.rollbacks++;
          rollbacks++;
        }
        case "dev.memdb.BufferLifecycle" -> {
          s.lifecycle++;
          lifecycle++;
        }
        case "jdk.NativeMemoryUsage" -> {
          long committed = e.getLong("committed");
          if (otherFirst < 0) {
            otherFirst = committed;
          }
          s.otherEnd = committed;
          otherSeries.add(new double[] {t, committed});
        }
        default -> {}
      }
    }
    StringBuilder r = new StringBuilder();
    r.append(String.format("blocks allocated and freed over time (from %s)%n", jfr.getFileName()));
    r.append("t0 = the first dev.memdb event; footprint = Σ over buffers of the footprint the latest event of each buffer carried\n\n");
    r.append(String.format("%6s %10s %12s %10s %12s %10s %10s %14s %14s%n",
        "second", "allocated", "alloc MiB", "freed", "freed MiB", "rollbacks", "lifecycle", "footprint MiB", "NMT Other MiB"));
    long lastFp = 0, lastOther = -1;
    for (Map.Entry<Long, Second> en : seconds.entrySet()) {
      Second s = en.getValue();
      lastFp = s.footprintEnd >= 0 ? s.footprintEnd : lastFp;
      lastOther = s.otherEnd >= 0 ? s.otherEnd : lastOther;
      r.append(String.format("%6d %10d %12s %10d %12s %10d %10d %14s %14s%n", en.getKey(), s.allocBlocks,
          OffHeapTool.mib(s.allocBytes), s.freedBlocks, OffHeapTool.mib(s.freedBytes), s.rollbacks, s.lifecycle,
          OffHeapTool.mib(lastFp), lastOther < 0 ? "-" : OffHeapTool.mib(lastOther)));
    }
    r.append(String.format("%6s %10d %12s %10d %12s %10d %10d %14s%n", "total", allocBlocks, OffHeapTool.mib(allocBytes),
        freedBlocks, OffHeapTool.mib(freedBytes), rollbacks, lifecycle, "peak " + OffHeapTool.mib(peak)));
    r.append(String.format("%nallocated − freed = %s MiB (0 when every buffer was closed within the recording)%n",
        OffHeapTool.mib(allocBytes - freedBytes)));
    r.append("""
        BlockFreed means the block left its buffer: it went to memdb's block pool (power-of-two sizes up to 256 MiB) or back to
        the OS; the pool's own frees (MemDB.trimBlockPool) have no event, so NMT Other drops only at the trim.
        """);
    Files.writeString(out.resolve("jfr-table.txt"), r.toString());
    System.out.print(r);

    List<Charts.Line> lines = new ArrayList<>();
    double[] xs = fpSeries.stream().mapToDouble(p -> p[0]).toArray();
    // The chart's x axis is shared: resample every series at the footprint's event times.
    lines.add(new Charts.Line("memdb footprint (all buffers, from events)", fpSeries.stream().mapToDouble(p -> p[1]).toArray(), false));
    // Cumulative allocated / freed bytes are in the table: on the chart they would dwarf the footprint.
    if (!otherSeries.isEmpty()) {
      double[] y = new double[xs.length];
      int j = 0;
      for (int i = 0; i < xs.length; i++) {
        while (j + 1 < otherSeries.size() && otherSeries.get(j + 1)[0] <= xs[i]) {
          j++;
        }
        y[i] = otherSeries.get(j)[0] <= xs[i] ? otherSeries.get(j)[1] : Double.NaN; // nothing before the first sample
      }
      lines.add(new Charts.Line("NMT Other (jdk.NativeMemoryUsage, 1 s)", y, true));
    }
    if (xs.length == 0) {
      System.err.println("no dev.memdb block events in " + jfr);
      return 1;
    }
    Path png = Charts.write(out.resolve("chart.png"), "memdb blocks over time (JFR dev.memdb.BlockAllocated / BlockFreed)", xs, lines);
    System.out.println("\nchart: " + png);
    return 0;
  }
}
