package dev.memdb.tools;

import dev.memdb.MemDB;
import dev.memdb.MemDBStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * memdb's off-heap profiling program, driven by {@code scripts/offheap-nmt}, {@code
 * scripts/offheap-jfr} and {@code scripts/offheap-leakcheck}.
 *
 * <pre>
 * java -cp tools/target/memdb-tools.jar dev.memdb.tools.OffHeapTool COMMAND [options]
 *   nmt        run a workload; memdb's figures vs NMT "Other" (jcmd baseline / summary.diff) vs RSS
 *   run        run a workload with the sampler only (under a JFR recording started by the script)
 *   jfr-report summarise a recording: blocks allocated / freed per second, footprint over time
 *   leakcheck  create, fill and close many buffers; NMT Other and RSS must return to the baseline
 * options: --workload fill|txn|churn --keys N --key-size B --value-size B --buffers N --live N
 *          --txns N --writes N --seed N --initial-block B --max-block B --prepare-ahead B --period-ms MS --out DIR
 *          --jfr FILE --run-dir DIR (jfr-report: the recording, and the folder where "run" wrote
 *          workload.txt and phases.csv) --other-tolerance-kb KB --rss-tolerance-mb MB (leakcheck)
 * </pre>
 */
public final class OffHeapTool {
  private static final double MIB = 1024.0 * 1024.0;

  private final Workload.Settings settings = new Workload.Settings();
  private Path out = Path.of(".");
  private long periodMs = 20;
  private Path jfrFile;
  private Path runDir;
  private long otherToleranceKb = 64;
  private long rssToleranceMb = 16;
  private int warmupBuffers = 10;

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    if (args.length == 0 || args[0].equals("--help")) {
      System.out.println("usage: OffHeapTool nmt|run|jfr-report|leakcheck [options]; see the class comment or scripts/offheap-* --help");
      return;
    }
    OffHeapTool t = new OffHeapTool();
    t.parse(args);
    Files.createDirectories(t.out);
    int rc =
        switch (args[0]) {
          case "nmt" -> t.nmt();
          case "run" -> t.run();
          case "jfr-report" -> JfrReport.write(t.jfrFile, t.out, t.runDir, t.settings);
          case "leakcheck" -> t.leakcheck();
          default -> throw new IllegalArgumentException("unknown command " + args[0]);
        };
    System.exit(rc);
  }

  private void parse(String[] args) {
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (v == null) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      i++;
      switch (a) {
        case "--workload" -> settings.name = v;
        case "--keys" -> settings.keys = Long.parseLong(v);
        case "--key-size" -> settings.keySize = Integer.parseInt(v);
        case "--value-size" -> settings.valueSize = Integer.parseInt(v);
        case "--buffers" -> settings.buffers = Integer.parseInt(v);
        case "--live" -> settings.live = Integer.parseInt(v);
        case "--txns" -> settings.txns = Integer.parseInt(v);
        case "--writes" -> settings.writesPerTxn = Integer.parseInt(v);
        case "--seed" -> settings.seed = Long.parseLong(v);
        case "--initial-block" -> settings.initialBlockSize = Integer.parseInt(v);
        case "--max-block" -> settings.maxBlockSize = Integer.parseInt(v);
        case "--prepare-ahead" -> settings.prepareAheadBytes = Long.parseLong(v);
        case "--period-ms" -> periodMs = Long.parseLong(v);
        case "--out" -> out = Path.of(v);
        case "--jfr" -> jfrFile = Path.of(v);
        case "--run-dir" -> runDir = Path.of(v);
        case "--other-tolerance-kb" -> otherToleranceKb = Long.parseLong(v);
        case "--rss-tolerance-mb" -> rssToleranceMb = Long.parseLong(v);
        case "--warmup-buffers" -> warmupBuffers = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    settings.describe(); // validates the workload name
  }

  // ------------------------------------------------------------------ helpers

  static String mib(long bytes) {
    return String.format("%.2f", bytes / MIB);
  }

  static String signedMib(long bytes) {
    return String.format("%+.2f", bytes / MIB);
  }

  /** The chart labels of the phases the tool marks in its samples (the samples' notes). */
  static Map<String, String> phaseLabels(String workload) {
    String end =
        switch (workload) {
          case "fill" -> "end of fill";
          case "txn" -> "end of txns";
          default -> "end of churn";
        };
    return Map.of(
        "workload start", "workload start",
        "end of workload", end,
        "closed", "close()",
        "all closed", "last close()",
        "trimBlockPool", "trimBlockPool()",
        "malloc_trim", "trim_native_heap");
  }

  /** The time of the sample with this note (the last one), or -1. */
  private static double at(List<Sampler.Sample> samples, String note) {
    double t = -1;
    for (Sampler.Sample s : samples) {
      if (s.note().equals(note)) {
        t = s.seconds();
      }
    }
    return t;
  }

  private String sizesLine(int samples) {
    return String.format(
        "blocks: initial %,d B, max %,d B; seed %d; sampled every %d ms (%d samples); baseline after a warm-up of %d"
            + " small buffers (closed, pool trimmed); max heap %d MiB",
        settings.initialBlockSize, settings.maxBlockSize, settings.seed, periodMs, samples, warmupBuffers,
        Runtime.getRuntime().maxMemory() >> 20);
  }

  static String jvmLine() {
    return "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + ", pid " + ProcessHandle.current().pid() + ", memdb.pool.maxBytes="
        + System.getProperty("memdb.pool.maxBytes", "default (512 MiB)");
  }

  /** Loads and JIT-warms the classes on the write and close paths, then gives everything back. */
  private void warmUp() {
    Workload.Settings w = new Workload.Settings();
    w.name = "churn";
    w.keys = 5_000;
    w.keySize = settings.keySize;
    w.valueSize = settings.valueSize;
    w.live = 1;
    w.initialBlockSize = settings.initialBlockSize;
    w.maxBlockSize = settings.maxBlockSize;
    try (Sampler quiet = new Sampler(60_000, false)) {
      new Workload(w, quiet).churn(warmupBuffers);
    }
    MemDB.trimBlockPool();
    System.gc();
  }

  private static MemDBStats.ArenaStats[] sumStats(List<MemDB> dbs) {
    int nb = 0, vb = 0;
    long na = 0, nu = 0, nw = 0, va = 0, vu = 0, vw = 0;
    for (MemDB db : dbs) {
      MemDBStats s = db.stats();
      nb += s.nodes().blocks();
      na += s.nodes().bytesAllocated();
      nu += s.nodes().bytesUsed();
      nw += s.nodes().bytesWasted();
      vb += s.values().blocks();
      va += s.values().bytesAllocated();
      vu += s.values().bytesUsed();
      vw += s.values().bytesWasted();
    }
    return new MemDBStats.ArenaStats[] {
      new MemDBStats.ArenaStats(nb, na, nu, nw), new MemDBStats.ArenaStats(vb, va, vu, vw)
    };
  }

  /** One row of the NMT table. */
  private record Row(
      String phase, MemDBStats.ArenaStats nodes, MemDBStats.ArenaStats values, long pooled, Nmt.Other other,
      long rssDelta, long anonDelta, long totalDelta) {
    long footprint() {
      return nodes.bytesAllocated() + values.bytesAllocated();
    }

    long memdbTotal() {
      return footprint() + pooled;
    }

    long difference() {
      return other.deltaBytes() - memdbTotal();
    }
  }

  // ------------------------------------------------------------------ nmt

  private int nmt() throws IOException {
    if (!Nmt.enabled()) {
      System.err.println("NMT is off: run with -XX:NativeMemoryTracking=summary (scripts/offheap-nmt does)");
      return 2;
    }
    warmUp();
    Nmt.jcmd("summary"); // starts the attach listener and the process machinery before the baseline
    Nmt.otherCommittedBytesNow();
    Nmt.rssBytes();
    Nmt.jcmd("baseline");
    long rss0 = Nmt.rssBytes();
    long anon0 = Nmt.rssAnonBytes();
    long pooled0 = MemDB.pooledBlockBytes();
    List<Row> rows = new ArrayList<>();
    Map<String, String> diffs = new HashMap<>();
    long t0 = System.nanoTime();
    Workload w;
    try (Sampler sampler = new Sampler(periodMs, true)) {
      sampler.sample("baseline");
      w = new Workload(settings, sampler);
      sampler.sample("workload start");
      w.run();
      double runSeconds = (System.nanoTime() - t0) / 1e9;
      sampler.sample("end of workload");
      String d = Nmt.jcmd("summary.diff");
      diffs.put("end of workload", d);
      MemDBStats.ArenaStats[] st = sumStats(w.open);
      rows.add(new Row("end of workload (buffers open)", st[0], st[1], MemDB.pooledBlockBytes() - pooled0, Nmt.other(d), Nmt.rssBytes() - rss0, Nmt.rssAnonBytes() - anon0, Nmt.totalCommittedDelta(d)));
      w.closeAll();
      sampler.sample("closed");
      d = Nmt.jcmd("summary.diff");
      diffs.put("after close", d);
      MemDBStats.ArenaStats zero = new MemDBStats.ArenaStats(0, 0, 0, 0);
      rows.add(new Row("after close (blocks pooled)", zero, zero, MemDB.pooledBlockBytes() - pooled0, Nmt.other(d), Nmt.rssBytes() - rss0, Nmt.rssAnonBytes() - anon0, Nmt.totalCommittedDelta(d)));
      long trimmed = MemDB.trimBlockPool();
      sampler.sample("trimBlockPool");
      d = Nmt.jcmd("summary.diff");
      diffs.put("after trimBlockPool", d);
      rows.add(new Row("after MemDB.trimBlockPool()", zero, zero, MemDB.pooledBlockBytes() - pooled0, Nmt.other(d), Nmt.rssBytes() - rss0, Nmt.rssAnonBytes() - anon0, Nmt.totalCommittedDelta(d)));
      String mallocTrim = Nmt.trimNativeHeap().strip().replace('\n', ' ');
      sampler.sample("malloc_trim");
      d = Nmt.jcmd("summary.diff");
      diffs.put("after trim_native_heap", d);
      rows.add(new Row("after System.trim_native_heap", zero, zero, MemDB.pooledBlockBytes() - pooled0, Nmt.other(d), Nmt.rssBytes() - rss0, Nmt.rssAnonBytes() - anon0, Nmt.totalCommittedDelta(d)));
      sampler.sample("end");
      sampler.close();
      sampler.writeCsv(out.resolve("samples.csv"));
      List<Sampler.Sample> ss = sampler.samples();
      Optional<String> warning =
          RunLength.sampled(ss, at(ss, "workload start"), at(ss, "end of workload"), periodMs, settings);

      long tolerance = Math.max(4096, settings.initialBlockSize) + 2048;
      StringBuilder r = new StringBuilder();
      r.append("memdb off-heap memory: memdb's own figures vs NMT \"Other\" vs resident memory\n");
      warning.ifPresent(x -> r.append("WARNING: ").append(x).append('\n'));
      r.append(jvmLine()).append('\n');
      r.append("workload: ").append(settings.describe()).append(String.format(", %.1f s%n", runSeconds));
      r.append(String.format("blocks: initial %d B, max %d B; NMT: jcmd %d VM.native_memory baseline, then summary.diff at each phase%n",
          settings.initialBlockSize, settings.maxBlockSize, ProcessHandle.current().pid()));
      r.append("baseline taken after a warm-up (").append(warmupBuffers).append(" small buffers, closed, pool trimmed)\n\n");
      r.append(String.format("%-32s %10s %10s %10s %10s %12s %12s %12s %10s %10s %10s%n",
          "phase", "footprint", "nodes", "values", "pooled", "memdb total", "NMT Other Δ", "Other-memdb", "RSS Δ", "anon Δ", "NMT all Δ"));
      r.append(String.format("%-32s %10s %10s %10s %10s %12s %12s %12s %10s %10s %10s%n",
          "", "MiB", "alloc MiB", "alloc MiB", "MiB", "MiB", "MiB", "KiB", "MiB", "MiB", "MiB"));
      boolean agree = true;
      for (Row row : rows) {
        r.append(String.format("%-32s %10s %10s %10s %10s %12s %12s %12.1f %10s %10s %10s%n",
            row.phase(), mib(row.footprint()), mib(row.nodes().bytesAllocated()), mib(row.values().bytesAllocated()),
            mib(row.pooled()), mib(row.memdbTotal()), signedMib(row.other().deltaBytes()), row.difference() / 1024.0,
            signedMib(row.rssDelta()), signedMib(row.anonDelta()), signedMib(row.totalDelta())));
        agree &= Math.abs(row.difference()) <= tolerance;
      }
      Row peak = rows.get(0);
      r.append(String.format("%nper arena at the end of the workload: nodes %d blocks, %s MiB allocated, %s MiB used, %s MiB wasted at block tails;"
              + " values %d blocks, %s MiB allocated, %s MiB used, %s MiB wasted%n",
          peak.nodes().blocks(), mib(peak.nodes().bytesAllocated()), mib(peak.nodes().bytesUsed()), mib(peak.nodes().bytesWasted()),
          peak.values().blocks(), mib(peak.values().bytesAllocated()), mib(peak.values().bytesUsed()), mib(peak.values().bytesWasted())));
      r.append(String.format("trimBlockPool() freed %s MiB; then System.trim_native_heap (glibc malloc_trim): %s%n", mib(trimmed), mallocTrim));
      r.append(String.format("%nverdict: memdb total (footprint + pooled blocks) and NMT Other Δ %s within %d KiB (one smallest block + NMT's KB rounding) in every phase%n",
          agree ? "AGREE" : "DO NOT AGREE", tolerance / 1024));
      r.append("""

          Why the three columns differ:
          * memdb total = memoryFootprint() of the open buffers + MemDB.pooledBlockBytes(): every block memdb
            holds, whether a buffer owns it or the process-wide pool parks it for reuse. Blocks are malloc'ed
            through Arena.allocate, which NMT tags "Other"; it counts the requested size, so the two agree to
            NMT's KB rounding. glibc's own per-allocation overhead (a 16 B header, page rounding of mmap'ed
            blocks) is in neither figure. "Other" also counts any other Unsafe.allocateMemory / direct
            ByteBuffer of the JVM, here next to nothing.
          * memdb's figures are not in -XX:MaxDirectMemorySize nor in the "direct" BufferPoolMXBean.
          * After close() the pooled blocks (power-of-two sizes up to 256 MiB, 512 MiB in all) are still
            allocated: NMT Other stays up by exactly the pooled bytes until MemDB.trimBlockPool().
          * RSS: Arena.allocate zeroes every block, so every page is touched and RSS grows by the bytes
            allocated (plus the JVM's own growth: JIT code, metaspace). After free, mmap'ed blocks (large
            ones) go back to the OS at once; blocks glibc placed in its heaps may stay resident until
            glibc trims them, so RSS can stay above its baseline while NMT Other is back; the last row asks
            glibc to trim (jcmd System.trim_native_heap) to show how much of the RSS Δ was that.
          * "RSS Δ" is VmRSS, "anon Δ" its anonymous part (RssAnon: malloc, Java heap, stacks), without the
            pages of mapped files (libjvm, the modules image, jars) the JVM touched while it ran.
          * "NMT all Δ" is the change of the JVM's total committed memory (every NMT category): what is left of
            the RSS Δ once memdb's blocks are gone is the JVM's own growth (JIT code and compiler arenas,
            metaspace, thread stacks of the sampler and jcmd's attach listener), not memdb.
          """);
      r.append("\nNMT Other lines (jcmd summary.diff):\n");
      for (String phase : List.of("end of workload", "after close", "after trimBlockPool", "after trim_native_heap")) {
        r.append(String.format("  %-20s %s%n", phase, Nmt.other(diffs.get(phase)).line()));
      }
      StringBuilder raw = new StringBuilder();
      for (String phase : List.of("end of workload", "after close", "after trimBlockPool")) {
        raw.append("===== jcmd ").append(ProcessHandle.current().pid()).append(" VM.native_memory summary.diff, ")
            .append(phase).append(" =====\n").append(diffs.get(phase)).append('\n');
      }
      Files.writeString(out.resolve("nmt-summary-diff.txt"), raw.toString());
      Files.writeString(out.resolve("report.txt"), r.toString());
      long other0 = ss.get(0).nmtOther();
      Path png = Charts.write(out.resolve("chart.png"), "memdb off-heap memory, " + settings.name + " workload: memdb vs NMT Other vs RSS",
          Charts.seconds(ss),
          List.of(
              Charts.line(ss, "memdb footprint", Sampler.Sample::footprint, 0, Charts.BLUE, Charts.Style.AREA),
              Charts.line(ss, "memdb footprint + pooled", s -> s.footprint() + s.pooled(), 0, Charts.GREEN, Charts.Style.THICK),
              Charts.line(ss, "NMT Other − baseline", Sampler.Sample::nmtOther, other0, Charts.RED, Charts.Style.THIN_DASHED),
              Charts.line(ss, "RSS − baseline", Sampler.Sample::rss, rss0, Charts.ORANGE, Charts.Style.THICK),
              Charts.line(ss, "anon RSS − baseline", Sampler.Sample::rssAnon, anon0, Charts.BROWN, Charts.Style.THIN_DASHED)),
          Charts.phases(ss, phaseLabels(settings.name)),
          List.of(
              "workload: " + settings.describe() + String.format(", %.2f s", runSeconds),
              sizesLine(ss.size()),
              jvmLine(),
              "memdb footprint (the open buffers) + pooled and NMT Other are equal by design (the thin dashed red line on the thick green one): "
                  + (agree ? "they AGREE" : "they DO NOT AGREE") + String.format(" within %d KiB in every phase", tolerance / 1024)),
          warning.stream().toList());
      System.out.print(r);
      System.out.println("\nreport: " + out.resolve("report.txt") + "\nchart:  " + png + "\nsamples: " + out.resolve("samples.csv"));
      warning.ifPresent(RunLength::warn);
      return agree ? 0 : 3;
    }
  }

  // ------------------------------------------------------------------ run (for JFR)

  private int run() throws IOException {
    boolean nmt = Nmt.enabled();
    try (Sampler sampler = new Sampler(periodMs, nmt)) {
      Workload w = new Workload(settings, sampler);
      sampler.sample("workload start");
      w.run();
      sampler.sample("end of workload");
      w.closeAll();
      sampler.sample("closed");
      MemDB.trimBlockPool();
      sampler.sample("trimBlockPool");
      try {
        Thread.sleep(1200); // lets a recording's 1 s jdk.NativeMemoryUsage sample see the trimmed pool
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sampler.close();
      sampler.writeCsv(out.resolve("samples.csv"));
      sampler.writePhases(out.resolve("phases.csv"));
    }
    Files.writeString(
        out.resolve("workload.txt"),
        "workload: " + settings.describe() + String.format(
            "; blocks: initial %,d B, max %,d B; seed %d%n", settings.initialBlockSize, settings.maxBlockSize, settings.seed)
            + jvmLine() + "\n");
    return 0;
  }

  // ------------------------------------------------------------------ leakcheck

  private int leakcheck() throws IOException {
    if (!Nmt.enabled()) {
      System.err.println("NMT is off: run with -XX:NativeMemoryTracking=summary (scripts/offheap-leakcheck does)");
      return 2;
    }
    warmUp();
    Nmt.otherCommittedBytesNow();
    Nmt.rssBytes();
    Nmt.mbean("baseline");
    long other0 = Nmt.otherCommittedBytesNow();
    long rss0 = Nmt.rssBytes();
    long anon0 = Nmt.rssAnonBytes();
    long t0 = System.nanoTime();
    try (Sampler sampler = new Sampler(periodMs, true)) {
      sampler.sample("baseline");
      Workload w = new Workload(settings, sampler);
      sampler.sample("workload start");
      w.run();
      w.closeAll();
      double runSeconds = (System.nanoTime() - t0) / 1e9;
      Sampler.Sample closed = sampler.sample("all closed");
      long peakFootprint = sampler.samples().stream().mapToLong(Sampler.Sample::footprint).max().orElse(0);
      long peakRss = sampler.samples().stream().mapToLong(Sampler.Sample::rss).max().orElse(0);
      long peakAnon = sampler.samples().stream().mapToLong(Sampler.Sample::rssAnon).max().orElse(0);
      long peakPooled = sampler.samples().stream().mapToLong(Sampler.Sample::pooled).max().orElse(0);
      long peakOther = sampler.samples().stream().mapToLong(Sampler.Sample::nmtOther).max().orElse(0);
      long trimmed = MemDB.trimBlockPool();
      Sampler.Sample afterTrim = sampler.sample("trimBlockPool");
      Nmt.Other diff = Nmt.other(Nmt.mbean("summary.diff"));
      String mallocTrim = Nmt.trimNativeHeap().strip().replace('\n', ' ');
      Sampler.Sample afterMallocTrim = sampler.sample("malloc_trim");
      sampler.close();
      sampler.writeCsv(out.resolve("samples.csv"));
      List<Sampler.Sample> ss = sampler.samples();
      Optional<String> warning =
          RunLength.sampled(ss, at(ss, "workload start"), at(ss, "all closed"), periodMs, settings);

      long otherTol = otherToleranceKb << 10;
      long rssTol = rssToleranceMb << 20;
      boolean otherOk = Math.abs(afterTrim.nmtOther() - other0) <= otherTol && Math.abs(diff.deltaBytes()) <= otherTol;
      boolean rssOk = afterMallocTrim.rssAnon() - anon0 <= rssTol;
      boolean memdbOk = afterTrim.footprint() == 0 && afterTrim.pooled() == 0;
      boolean pass = otherOk && rssOk && memdbOk;
      StringBuilder r = new StringBuilder();
      r.append("memdb leak check: create, fill and close many buffers; NMT Other and RSS must return to the baseline\n");
      warning.ifPresent(x -> r.append("WARNING: ").append(x).append('\n'));
      r.append(jvmLine()).append('\n');
      r.append("workload: ").append(settings.describe()).append(String.format(", %.1f s%n", runSeconds));
      r.append("baseline taken after a warm-up (").append(warmupBuffers).append(" buffers, closed, pool trimmed); heap fixed and pre-touched\n\n");
      r.append(String.format("%-34s %12s %12s %14s %12s %12s%n", "moment", "memdb fp", "pooled", "NMT Other Δ", "RSS Δ", "anon Δ"));
      r.append(String.format("%-34s %12s %12s %14s %12s %12s%n", "", "MiB", "MiB", "KiB", "MiB", "MiB"));
      r.append(String.format("%-34s %12s %12s %14s %12s %12s%n", "baseline", "0.00", "0.00", "0", "0.00", "0.00"));
      r.append(String.format("%-34s %12s %12s %14s %12s %12s%n", "peak during the run", mib(peakFootprint), mib(peakPooled),
          String.format("%+d", (peakOther - other0) >> 10), signedMib(peakRss - rss0), signedMib(peakAnon - anon0)));
      for (Sampler.Sample s : List.of(closed, afterTrim, afterMallocTrim)) {
        String name = switch (s.note()) {
          case "all closed" -> "all buffers closed";
          case "trimBlockPool" -> "after MemDB.trimBlockPool()";
          default -> "after System.trim_native_heap";
        };
        r.append(String.format("%-34s %12s %12s %+14d %12s %12s%n", name, mib(s.footprint()), mib(s.pooled()),
            (s.nmtOther() - other0) >> 10, signedMib(s.rss() - rss0), signedMib(s.rssAnon() - anon0)));
      }
      r.append(String.format("%nNMT summary.diff after trimBlockPool: %s%n", diff.line()));
      r.append(String.format("trimBlockPool() freed %s MiB; System.trim_native_heap: %s%n", mib(trimmed), mallocTrim));
      r.append(String.format("%ntolerances: NMT Other within %d KiB of the baseline; anonymous RSS at most %d MiB above it after the native heap trim%n",
          otherToleranceKb, rssToleranceMb));
      r.append(String.format("memdb figures back to 0 (footprint, pooled): %s%n", memdbOk ? "yes" : "NO"));
      r.append(String.format("NMT Other back at baseline:                %s%n", otherOk ? "yes" : "NO"));
      r.append(String.format("RSS back at baseline:                      %s%n", rssOk ? "yes" : "NO"));
      r.append(String.format("verdict: %s%n", pass ? "PASS (no leak)" : "FAIL"));
      r.append(String.format("detection limit: a leak of less than %s per buffer stays within the NMT Other tolerance over %,d buffers%n",
          perBuffer(otherTol, settings.buffers), settings.buffers));
      r.append("""

          Reading it: after the last close() NMT Other is still up by the pooled blocks (power-of-two blocks
          up to 256 MiB, at most 512 MiB, kept because closing a shared arena handshakes every thread);
          MemDB.trimBlockPool() frees them and Other returns to its baseline to the KB. RSS follows more
          slowly: glibc keeps freed heap memory resident until it trims, so the check asks the JVM to trim
          the C heap (jcmd System.trim_native_heap, i.e. malloc_trim) before comparing RSS. The RSS check
          uses anonymous RSS (RssAnon): VmRSS also grows by pages of mapped files (libjvm, the modules
          image) the JVM touched while it ran, which are not memory anyone allocated.
          """);
      Files.writeString(out.resolve("report.txt"), r.toString());
      Path png = Charts.write(out.resolve("chart.png"),
          String.format("memdb leak check: %,d buffers x %,d keys, %s", settings.buffers, settings.keys, pass ? "PASS (no leak)" : "FAIL"),
          Charts.seconds(ss),
          List.of(
              Charts.line(ss, "memdb footprint", Sampler.Sample::footprint, 0, Charts.BLUE, Charts.Style.AREA),
              Charts.line(ss, "memdb footprint + pooled", s -> s.footprint() + s.pooled(), 0, Charts.GREEN, Charts.Style.THICK),
              Charts.line(ss, "NMT Other − baseline", Sampler.Sample::nmtOther, other0, Charts.RED, Charts.Style.THIN_DASHED),
              Charts.line(ss, "memdb pooled", Sampler.Sample::pooled, 0, Charts.PURPLE, Charts.Style.DASHED),
              Charts.line(ss, "RSS − baseline", Sampler.Sample::rss, rss0, Charts.ORANGE, Charts.Style.THICK),
              Charts.line(ss, "anon RSS − baseline", Sampler.Sample::rssAnon, anon0, Charts.BROWN, Charts.Style.THIN_DASHED)),
          Charts.phases(ss, phaseLabels(settings.name)),
          List.of(
              "workload: " + settings.describe() + String.format(", %.2f s", runSeconds),
              sizesLine(ss.size()),
              jvmLine(),
              String.format("verdict %s: memdb figures back to 0 %s, NMT Other within %d KiB of the baseline %s, anonymous RSS"
                      + " within %d MiB after trim_native_heap %s", pass ? "PASS" : "FAIL", memdbOk ? "yes" : "NO",
                  otherToleranceKb, otherOk ? "yes" : "NO", rssToleranceMb, rssOk ? "yes" : "NO"),
              "memdb footprint (the open buffers) + pooled and NMT Other are equal by design (the thin dashed red line on the thick"
                  + " green one); a block allocated while a sample reads them can put one block between them"),
          warning.stream().toList());
      System.out.print(r);
      System.out.println("\nreport: " + out.resolve("report.txt") + "\nchart:  " + png + "\nsamples: " + out.resolve("samples.csv"));
      warning.ifPresent(RunLength::warn);
      return pass ? 0 : 1;
    }
  }

  private static String perBuffer(long bytes, int buffers) {
    double b = (double) bytes / Math.max(1, buffers);
    return b >= 1024 ? String.format("%.1f KiB", b / 1024) : String.format("%.0f B", b);
  }

  static void printTo(PrintStream p, String s) {
    p.print(s);
  }
}
