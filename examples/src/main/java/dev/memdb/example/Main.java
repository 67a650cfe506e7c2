package dev.memdb.example;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.memdb.FlagsOp;
import dev.memdb.KeyFlag;
import dev.memdb.KeyFlags;
import dev.memdb.MemDB;
import dev.memdb.MemDBIterator;
import dev.memdb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * memdb's first hour: write, stage a statement, read a snapshot, roll the statement back, iterate.
 * Prints what it sees on stdout and checks it; exits with status 1 (and a line on stderr) on any
 * wrong result. Run on the module path with no JVM flags:
 *
 * <pre>java -p target/memdb-example-1.0.jar:MEMDB_JAR -m dev.memdb.example/dev.memdb.example.Main</pre>
 */
public final class Main {
  private static int checks;

  private Main() {}

  public static void main(String[] args) {
    try (MemDB db = MemDB.create()) {
      // The transaction's own writes, read back at once.
      db.set(bytes("apple"), bytes("red"));
      db.set(bytes("banana"), bytes("yellow"));
      check("get apple", "red", text(db.get(bytes("apple"))));

      // A statement: a nested stage. It overwrites apple and locks a new key.
      int statement = db.staging();
      db.set(bytes("apple"), bytes("green"));
      db.set(bytes("cherry"), bytes("dark red"), FlagsOp.SET_KEY_LOCKED);
      Snapshot atStart = db.snapshot(); // the buffer as of the statement's start
      check("stage depth", 1, db.stagingDepth());
      check("get apple in the statement", "green", text(db.get(bytes("apple"))));
      check("snapshot apple", "red", text(atStart.get(bytes("apple"))));
      check("snapshot cherry", null, text(atStart.get(bytes("cherry"))));
      check("keys in the statement", List.of("apple", "banana", "cherry"), keys(db, false));

      // Statement rollback: its values are undone, cherry's lock (a persistent flag) stays.
      db.cleanup(statement);
      check("stage depth after rollback", 0, db.stagingDepth());
      check("get apple after rollback", "red", text(db.get(bytes("apple"))));
      check("get cherry after rollback", null, text(db.get(bytes("cherry"))));
      KeyFlags cherry = db.getFlags(bytes("cherry"));
      check("cherry still locked", true, cherry != null && cherry.has(KeyFlag.KEY_LOCKED));
      check("snapshot invalid after rollback", false, atStart.isValid());

      // Iteration: values only, then also the flag-only key the rollback left.
      check("keys after rollback", List.of("apple", "banana"), keys(db, false));
      check("keys with flags", List.of("apple", "banana", "cherry"), keys(db, true));
      try (MemDBIterator it = db.iterator(null, null)) {
        for (; it.valid(); it.next()) {
          System.out.println("  " + text(it.key()) + " = " + text(it.value()));
        }
      }
    }
    System.out.println("memdb example: " + checks + " checks passed");
  }

  private static List<String> keys(MemDB db, boolean withFlags) {
    List<String> keys = new ArrayList<>();
    try (MemDBIterator it =
        withFlags ? db.iteratorWithFlags(null, null) : db.iterator(null, null)) {
      for (; it.valid(); it.next()) {
        keys.add(text(it.key()));
      }
    }
    return keys;
  }

  private static void check(String what, Object expected, Object actual) {
    if (!java.util.Objects.equals(expected, actual)) {
      System.err.println("memdb example: " + what + ": expected " + expected + ", got " + actual);
      System.exit(1);
    }
    checks++;
    System.out.println(what + ": " + actual);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, UTF_8);
  }
}
