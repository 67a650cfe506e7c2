package dev.memdb.tools;

import java.util.List;
import java.util.Optional;

/**
 * Whether a run was long enough for its samples to mean something, and if not, what to run
 * instead. The thresholds follow from what the tools sample:
 *
 * <ul>
 *   <li>the sampler ({@code nmt}, {@code leakcheck}) reads memdb's figures, NMT Other and RSS every
 *       {@code --period-ms}; the peaks in the report and the shape of the chart come from those
 *       samples only, so the workload must span at least {@link #MIN_SAMPLES} of them;
 *   <li>a JFR recording ({@code scripts/offheap-jfr}) has {@code jdk.NativeMemoryUsage} once a
 *       second ({@code tools/memdb.jfc}): the NMT Other line and the per-second table need at least
 *       {@link #MIN_NMT_SAMPLES} of them during the workload, i.e. a workload of 5 s or more, and the
 *       footprint line at least {@link #MIN_BLOCK_EVENTS} block events.
 * </ul>
 *
 * A short run is not refused (its verdict can still be right): it gets a warning on stderr, in the
 * report and on the chart, with the option value that would make it long enough.
 */
final class RunLength {
  static final int MIN_SAMPLES = 20;
  static final int MIN_NMT_SAMPLES = 5;
  static final double NMT_PERIOD_SECONDS = 1.0;
  static final int MIN_BLOCK_EVENTS = 20;

  private RunLength() {}

  /**
   * The warning for a sampled run, if its workload (from {@code startSeconds} to {@code
   * endSeconds}) spans fewer than {@link #MIN_SAMPLES} of the sampler's periodic samples.
   */
  static Optional<String> sampled(
      List<Sampler.Sample> samples, double startSeconds, double endSeconds, long periodMs, Workload.Settings s) {
    long n =
        samples.stream()
            .filter(x -> x.note().isEmpty() && x.seconds() >= startSeconds && x.seconds() <= endSeconds)
            .count();
    if (n >= MIN_SAMPLES) {
      return Optional.empty();
    }
    double seconds = endSeconds - startSeconds;
    // A sample takes time of its own (NMT through the MBean, every buffer's stats): the real period
    // can be longer than --period-ms, and the run length needed follows the real one.
    double period = Math.max(periodMs / 1000.0, n > 1 ? seconds / n : 0);
    double minSeconds = MIN_SAMPLES * period;
    return Optional.of(
        String.format(
            "run too short to sample: %d sample(s) (one every %.0f ms, --period-ms %d) fell within the %.2f s"
                + " workload; the peaks and the chart need at least %d, i.e. a workload of %.1f s or more: run about"
                + " %s (or a smaller --period-ms); the figures at the marked phases are still exact",
            n, period * 1000, periodMs, seconds, MIN_SAMPLES, minSeconds,
            bigger(s, minSeconds / Math.max(seconds, 1e-3))));
  }

  /**
   * The warning for a JFR recording whose workload lasted {@code seconds} and saw {@code
   * nmtSamples} {@code jdk.NativeMemoryUsage} samples of Other and {@code blockEvents} block events.
   */
  static Optional<String> recorded(int nmtSamples, int blockEvents, double seconds, Workload.Settings s) {
    if (nmtSamples >= MIN_NMT_SAMPLES && blockEvents >= MIN_BLOCK_EVENTS) {
      return Optional.empty();
    }
    double minSeconds = MIN_NMT_SAMPLES * NMT_PERIOD_SECONDS;
    double factor = Math.max(minSeconds / Math.max(seconds, 1e-3), blockEvents == 0 ? 2 : (double) MIN_BLOCK_EVENTS / blockEvents);
    List<String> why = new java.util.ArrayList<>();
    if (nmtSamples < MIN_NMT_SAMPLES) {
      why.add(String.format("%d jdk.NativeMemoryUsage sample(s) of NMT Other (one a second; at least %d needed)", nmtSamples, MIN_NMT_SAMPLES));
    }
    if (blockEvents < MIN_BLOCK_EVENTS) {
      why.add(String.format("%d block event(s) (at least %d needed)", blockEvents, MIN_BLOCK_EVENTS));
    }
    return Optional.of(
        String.format(
            "run too short to chart: the %.2f s workload saw %s: run a workload of %.0f s or more, about %s",
            seconds, String.join(" and ", why), minSeconds, bigger(s, factor)));
  }

  /** The workload's size option scaled by {@code factor} (plus a margin), e.g. "--buffers 1200". */
  static String bigger(Workload.Settings s, double factor) {
    double f = Math.max(1.0, factor) * 1.25;
    return switch (s.name) {
      case "churn" -> "--buffers " + round(s.buffers * f);
      case "txn" -> "--txns " + round(s.txns * f);
      default -> "--keys " + round(Math.max(1, s.keys) * f);
    };
  }

  /** Rounds up to two significant digits. */
  private static long round(double v) {
    long magnitude = (long) Math.pow(10, Math.max(0, Math.floor(Math.log10(Math.max(1, v))) - 1));
    return (long) Math.ceil(v / magnitude) * magnitude;
  }

  /** Prints a warning on stderr, as the scripts' users see it. */
  static void warn(String warning) {
    System.err.println("WARNING: " + warning);
  }
}
