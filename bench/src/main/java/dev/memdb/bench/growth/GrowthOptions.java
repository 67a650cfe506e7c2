package dev.memdb.bench.growth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The growth benchmark's command line. */
final class GrowthOptions {
  static final String HELP =
      """
      scripts/bench-growth: one writer fills an empty store; every single write is timed.
        --keys N             keys per round (default 1000000)
        --value-size N       value bytes (default 128); keys are 16 bytes
        --order random|ascending   insertion order (default random)
        --rounds N           measured rounds per system (default 5)
        --warmup-rounds N    unmeasured rounds first (default 1)
        --systems LIST       of memdb (defaults: blocks prepared ahead), memdb-noprep,
                             treemap (behind a read-write lock), skiplist
                             (default memdb,memdb-noprep,treemap,skiplist)
        --trim-pool          empty memdb's block pool before every round: each round grows into
                             fresh memory, as a process's first transaction does
        --out DIR            also write summary.txt and one .hgrm per system there
        --help""";

  int keys = 1_000_000;
  int valueSize = 128;
  boolean ascending;
  int rounds = 5;
  int warmupRounds = 1;
  List<GrowthSystem> systems = new ArrayList<>();
  boolean trimPool;
  Path out;
  boolean help;
  String command = "";

  static GrowthOptions parse(String[] args) {
    GrowthOptions o = new GrowthOptions();
    o.command = "scripts/bench-growth " + String.join(" ", args);
    String systems = "memdb,memdb-noprep,treemap,skiplist";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        o.help = true;
        continue;
      }
      if (a.equals("--trim-pool")) {
        o.trimPool = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value (see --help)");
      }
      String v = args[++i];
      switch (a) {
        case "--keys" -> o.keys = positive(a, v);
        case "--value-size" -> o.valueSize = positive(a, v);
        case "--order" -> o.ascending = order(v);
        case "--rounds" -> o.rounds = positive(a, v);
        case "--warmup-rounds" -> o.warmupRounds = Integer.parseInt(v);
        case "--systems" -> systems = v;
        case "--out" -> o.out = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
      }
    }
    for (String s : systems.split(",")) {
      o.systems.add(GrowthSystem.parse(s.trim()));
    }
    return o;
  }

  private static boolean order(String v) {
    return switch (v) {
      case "ascending" -> true;
      case "random" -> false;
      default -> throw new IllegalArgumentException("--order is random or ascending, not " + v);
    };
  }

  private static int positive(String name, String v) {
    int n = Integer.parseInt(v);
    if (n < 1) {
      throw new IllegalArgumentException(name + " must be positive, was " + v);
    }
    return n;
  }

  /** The configuration, for the report's header. */
  String header() {
    Runtime rt = Runtime.getRuntime();
    return String.format(
        "Growth: one writer fills an empty store with %,d keys of 16 B (%s order), values of %d B;"
            + " %d measured round(s) after %d warm-up round(s) per system%n"
            + "memdb's block pool %s%n"
            + "JDK: %s %s; %d cores; max heap %d MiB%nCommand: %s%n",
        keys,
        ascending ? "ascending" : "random",
        valueSize,
        rounds,
        warmupRounds,
        trimPool
            ? "emptied before every round (fresh memory: a process's first transaction)"
            : "kept between rounds (blocks reused: a process running transactions one after another)",
        System.getProperty("java.vm.name"),
        System.getProperty("java.vm.version"),
        rt.availableProcessors(),
        rt.maxMemory() >> 20,
        command);
  }
}
