package dev.memdb.tools;

import dev.memdb.MemDB;
import dev.memdb.MemDBStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Samples memdb's own figures (summed over the live buffers of the workload), the block pool, NMT
 * "Other" (through the DiagnosticCommand MBean, when NMT is on) and VmRSS, every {@code periodMs},
 * on a daemon thread of its own.
 */
final class Sampler implements AutoCloseable {
  /** One sample; sizes in bytes, NMT Other -1 without NMT. */
  record Sample(
      double seconds,
      int buffers,
      long footprint,
      long nodesAllocated,
      long nodesUsed,
      long valuesAllocated,
      long valuesUsed,
      long wasted,
      long pooled,
      long nmtOther,
      long rss,
      long rssAnon,
      String note) {
    static final String HEADER =
        "seconds,buffers,footprint,nodes_allocated,nodes_used,values_allocated,values_used,wasted,pooled,nmt_other_committed,rss,rss_anon,note";

    String csv() {
      return String.format(
          "%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s",
          seconds, buffers, footprint, nodesAllocated, nodesUsed, valuesAllocated, valuesUsed, wasted,
          pooled, nmtOther, rss, rssAnon, note);
    }
  }

  private final Set<MemDB> live = ConcurrentHashMap.newKeySet();
  private final Object consistent = new Object();
  private final List<Sample> samples = new ArrayList<>();
  private final long start = System.nanoTime();
  /** The wall-clock time of {@code seconds} 0, to place samples on a JFR recording's time line. */
  final long startEpochMillis = System.currentTimeMillis();
  private final boolean nmt;
  private final Thread thread;
  private volatile boolean running = true;

  Sampler(long periodMs, boolean nmt) {
    this.nmt = nmt;
    this.thread =
        Thread.ofPlatform()
            .daemon()
            .name("memdb-sampler")
            .start(
                () -> {
                  while (running) {
                    sample("");
                    try {
                      Thread.sleep(periodMs);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  /** A buffer the workload opened; sampled until {@link #close(MemDB)}. */
  MemDB opened(MemDB db) {
    live.add(db);
    return db;
  }

  /**
   * Closes a buffer of the workload. Not during a sample: a sample reads every live buffer's stats,
   * the pool and NMT Other under the same lock, so a buffer is either counted with its blocks or
   * gone with them in the pool (a close between the reads would miss them or count them twice).
   */
  void close(MemDB db) {
    synchronized (consistent) {
      live.remove(db);
      db.close();
    }
  }

  /** Takes a sample now (also called by the workload at its milestones, with a note). */
  Sample sample(String note) {
    int buffers = 0;
    long fp = 0, na = 0, nu = 0, va = 0, vu = 0, w = 0, pooled, other;
    synchronized (consistent) {
      for (MemDB db : live) {
        try {
          MemDBStats s = db.stats();
          buffers++;
          fp += s.memoryFootprint();
          na += s.nodes().bytesAllocated();
          nu += s.nodes().bytesUsed();
          va += s.values().bytesAllocated();
          vu += s.values().bytesUsed();
          w += s.nodes().bytesWasted() + s.values().bytesWasted();
        } catch (IllegalStateException closed) {
          // closed without close(MemDB): it holds nothing any more
        }
      }
      pooled = MemDB.pooledBlockBytes();
      other = nmt ? Nmt.otherCommittedBytesNow() : -1;
    }
    Sample s =
        new Sample(
            (System.nanoTime() - start) / 1e9, buffers, fp, na, nu, va, vu, w, pooled, other,
            Nmt.rssBytes(), Nmt.rssAnonBytes(), note);
    synchronized (samples) {
      samples.add(s);
    }
    return s;
  }

  /** The samples in time order (the sampler's thread and the workload's milestones can add them out of order). */
  List<Sample> samples() {
    List<Sample> copy;
    synchronized (samples) {
      copy = new ArrayList<>(samples);
    }
    copy.sort(java.util.Comparator.comparingDouble(Sample::seconds));
    return List.copyOf(copy);
  }

  void writeCsv(Path file) throws IOException {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      out.println(Sample.HEADER);
      for (Sample s : samples()) {
        out.println(s.csv());
      }
    }
  }

  /** The samples with a note (the run's phases), as {@code epoch_ms,note} lines. */
  void writePhases(Path file) throws IOException {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      out.println("epoch_ms,note");
      for (Sample s : samples()) {
        if (!s.note().isEmpty()) {
          out.println(Math.round(startEpochMillis + s.seconds() * 1000) + "," + s.note());
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
