package dev.memdb.bench.seed;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One thread's latencies for one operation: a {@link SingleWriterRecorder} (wait-free for its one
 * writer, interval histograms for the reporter) and the number of operations really done (the
 * histogram's count also holds the values added by the coordinated-omission correction).
 */
final class OpRecorder {
  private final SingleWriterRecorder recorder = new SingleWriterRecorder(3);
  private final AtomicLong done = new AtomicLong();
  private final long expectedIntervalNanos;
  private Histogram recycled;

  OpRecorder(long expectedIntervalNanos) {
    this.expectedIntervalNanos = expectedIntervalNanos;
  }

  /** Records one operation's latency (called by the owning thread only). */
  void record(long nanos) {
    recorder.recordValueWithExpectedInterval(nanos, expectedIntervalNanos);
    done.lazySet(done.get() + 1);
  }

  /** The latencies since the last call (called by the reporter only). */
  Histogram interval() {
    Histogram h = recorder.getIntervalHistogram(recycled);
    recycled = h;
    return h;
  }

  long done() {
    return done.get();
  }
}
