package dev.memdb.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The short-run warnings of the leak check / NMT tool (sampler) and of the JFR report. */
class RunLengthTest {
  private static List<Sampler.Sample> samples(double start, double end, double period) {
    List<Sampler.Sample> ss = new ArrayList<>();
    ss.add(sample(start, "workload start"));
    for (double t = start + period; t < end; t += period) {
      ss.add(sample(t, ""));
    }
    ss.add(sample(end, "all closed"));
    return ss;
  }

  private static Sampler.Sample sample(double t, String note) {
    return new Sampler.Sample(t, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, note);
  }

  private static Workload.Settings churn(int buffers) {
    Workload.Settings s = new Workload.Settings();
    s.name = "churn";
    s.buffers = buffers;
    s.describe();
    return s;
  }

  @Test
  void aLeakCheckOfHalfASecondAt100MsIsTooShortAndSaysHowManyBuffersToRun() {
    Optional<String> w = RunLength.sampled(samples(0.0, 0.5, 0.1), 0.0, 0.5, 100, churn(20));
    assertTrue(w.isPresent());
    assertTrue(w.get().contains("at least 20"), w.get());
    assertTrue(w.get().contains("a workload of 2.5 s or more"), w.get());
    assertTrue(w.get().contains("--buffers 130"), w.get()); // 4 samples in 0.5 s: one every 125 ms; 20 x 2.5 s / 0.5 s x 1.25, rounded up
  }

  @Test
  void aLeakCheckWithTwentySamplesIsLongEnough() {
    assertFalse(RunLength.sampled(samples(0.0, 2.15, 0.1), 0.0, 2.15, 100, churn(100)).isPresent());
  }

  @Test
  void aJfrRecordingWithFewerThanFiveNmtSamplesIsTooShort() {
    Optional<String> w = RunLength.recorded(2, 720, 1.5, churn(20));
    assertTrue(w.isPresent());
    assertTrue(w.get().contains("2 jdk.NativeMemoryUsage sample(s)"), w.get());
    assertFalse(w.get().contains("block event"), w.get()); // enough of those
    assertTrue(w.get().contains("5 s or more"), w.get());
    assertFalse(RunLength.recorded(6, 720, 6.0, churn(100)).isPresent());
    assertTrue(RunLength.recorded(6, 3, 6.0, churn(100)).get().contains("3 block event(s)"));
  }
}
