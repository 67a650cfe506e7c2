package dev.memdb.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /**
   * Writes {@code out/jfr-table.txt} and {@code out/chart.png}. {@code runDir} (may be null) is where
   * {@code OffHeapTool run} wrote {@code workload.txt} (the configuration, printed on the chart) and
   * {@code phases.csv} (the phases' wall-clock times, drawn as markers); {@code settings} are the
   * workload's options, for the option to suggest when the run was too short.
   */
  static int write(Path jfr, Path out, Path runDir, Workload.Settings settings) throws IOException {
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
    // t0: the start of the workload when the run's phases.csv says when, else the first memdb event.
    Map<String, Instant> phaseTimes = new HashMap<>();
    List<String> phaseOrder = new ArrayList<>();
    if (runDir != null && Files.exists(runDir.resolve("phases.csv"))) {
      for (String line : Files.readAllLines(runDir.resolve("phases.csv"))) {
        String[] f = line.split(",", 2);
        if (f.length == 2 && !f[0].equals("epoch_ms")) {
          phaseTimes.put(f[1], Instant.ofEpochMilli(Long.parseLong(f[0])));
          phaseOrder.add(f[1]);
        }
      }
    }
    Instant t0 = phaseTimes.containsKey("workload start") ? phaseTimes.get("workload start") : events.stream()
        .filter(e -> e.getEventType().getName().startsWith("dev.memdb."))
        .map(RecordedEvent::getStartTime).findFirst().orElse(Instant.EPOCH);
    TreeMap<Long, Second> seconds = new TreeMap<>();
    Map<Long, Long> footprintByBuffer = new HashMap<>();
    long total = 0, peak = 0, allocBlocks = 0, allocBytes = 0, freedBlocks = 0, freedBytes = 0, rollbacks = 0, lifecycle = 0;
    long otherFirst = -1;
    List<double[]> points = new ArrayList<>(); // per block event: {t, footprint of all buffers}
    List<double[]> otherPoints = new ArrayList<>(); // per NMT sample: {t, Other committed}
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
          points.add(new double[] {t, total});
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
          otherPoints.add(new double[] {t, committed});
        }
        default -> {}
      }
    }
    // The phases "run" marked, on this time line (t0 = the first memdb event).
    List<Charts.Phase> phases = new ArrayList<>();
    Map<String, Double> phaseAt = new HashMap<>();
    List<String> notes = new ArrayList<>();
    Map<String, String> labels = OffHeapTool.phaseLabels(settings.name);
    for (String note : phaseOrder) {
      double t = (phaseTimes.get(note).toEpochMilli() - t0.toEpochMilli()) / 1000.0;
      phaseAt.put(note, t);
      if (labels.containsKey(note)) {
        phases.add(new Charts.Phase(t, labels.get(note)));
      }
    }
    if (runDir != null && Files.exists(runDir.resolve("workload.txt"))) {
      notes.addAll(Files.readAllLines(runDir.resolve("workload.txt")));
    }
    double lastEvent = points.isEmpty() ? 0 : points.get(points.size() - 1)[0];
    double start = phaseAt.getOrDefault("workload start", 0.0);
    double end = phaseAt.getOrDefault("end of workload", lastEvent);
    int otherInWorkload = (int) otherPoints.stream().filter(p -> p[0] >= start && p[0] <= end).count();
    Optional<String> warning = RunLength.recorded(otherInWorkload, (int) (allocBlocks + freedBlocks), end - start, settings);

    StringBuilder r = new StringBuilder();
    warning.ifPresent(w -> r.append("WARNING: ").append(w).append("\n\n"));
    r.append(String.format("blocks allocated and freed over time (from %s)%n", jfr.getFileName()));
    r.append(t0Text(phaseTimes)).append("; footprint = Σ over buffers of the footprint the latest event of each buffer carried\n\n");
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

    warning.ifPresent(RunLength::warn);
    if (points.isEmpty()) {
      System.err.println("no dev.memdb block events in " + jfr);
      return 1;
    }
    // Cumulative allocated / freed bytes are in the table: on the chart they would dwarf the footprint.
    double lastPhase = phases.stream().mapToDouble(Charts.Phase::seconds).max().orElse(lastEvent);
    if (lastPhase > lastEvent) {
      points.add(new double[] {lastPhase, total}); // the footprint holds until the last phase
    }
    double[] xs = points.stream().mapToDouble(p -> p[0]).toArray();
    List<Charts.Line> lines = new ArrayList<>();
    lines.add(new Charts.Line("memdb footprint, all buffers (from the block events)",
        points.stream().mapToDouble(p -> p[1]).toArray(), Charts.BLUE, Charts.Style.AREA));
    if (!otherPoints.isEmpty()) {
      lines.add(new Charts.Line("NMT Other, committed (jdk.NativeMemoryUsage, one a second)",
          otherPoints.stream().mapToDouble(p -> p[1]).toArray(), Charts.RED, Charts.Style.SOLID,
          otherPoints.stream().mapToDouble(p -> p[0]).toArray()));
    }
    notes.add(String.format(
        t0Text(phaseTimes) + "; %,d blocks allocated (%s MiB), %,d freed (%s MiB), peak footprint %s MiB; %d NMT"
            + " samples (%d during the workload); the pool's frees at trimBlockPool() have no event: only NMT Other shows them",
        allocBlocks, OffHeapTool.mib(allocBytes), freedBlocks, OffHeapTool.mib(freedBytes), OffHeapTool.mib(peak),
        otherPoints.size(), otherInWorkload));
    Path png = Charts.write(out.resolve("chart.png"), "memdb blocks over time (JFR dev.memdb.BlockAllocated / BlockFreed)",
        xs, lines, phases, notes, warning.stream().toList());
    System.out.println("\nchart: " + png);
    return 0;
  }

  private static String t0Text(Map<String, Instant> phases) {
    return phases.containsKey("workload start") ? "t0 = the start of the workload" : "t0 = the first dev.memdb event";
  }
}
