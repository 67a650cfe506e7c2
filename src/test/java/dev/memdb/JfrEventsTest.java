package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** memdb's JFR events describe block growth, rollbacks and the end of a buffer's life. */
class JfrEventsTest {
  private static final List<String> EVENT_CLASSES =
      List.of("BlockAllocatedEvent", "BlockFreedEvent", "RollbackEvent", "BufferLifecycleEvent");

  /**
   * The first use of a JFR event class in a JVM starts JFR (0.2-0.6 s here); memdb must not do it
   * under the write lock of a buffer's first writes. A fresh JVM logs which thread initialized each
   * class: "main" creates the buffer, another thread writes to it. Without JFR, no event class is
   * touched at all and JFR is not started.
   */
  @Test
  void withoutJfrNoEventClassIsInitializedAndJfrIsNotStarted() throws Exception {
    Map<String, String> initializedBy = firstBufferOfAJvm();
    for (String c : EVENT_CLASSES) {
      assertNull(initializedBy.get(c), c + " initialized by " + initializedBy.get(c));
    }
    assertNull(initializedBy.get("MetadataRepository"), "JFR was started by " + initializedBy);
  }

  /** With JFR running, the thread creating the first buffer initializes the event classes. */
  @Test
  void withJfrTheEventClassesAreInitializedByTheFirstCreateNotByTheFirstWrites() throws Exception {
    Path jfr = Files.createTempFile("memdb-first", ".jfr");
    try {
      Map<String, String> initializedBy =
          firstBufferOfAJvm("-XX:StartFlightRecording:filename=" + jfr);
      for (String c : EVENT_CLASSES) {
        assertNotNull(initializedBy.get(c), c + " was never initialized");
        assertEquals("main", initializedBy.get(c), c + " initialized by the wrong thread");
      }
    } finally {
      Files.deleteIfExists(jfr);
    }
  }

  /**
   * Runs {@link FirstBufferOfAJvm} in a fresh JVM with class-initialization logging.
   *
   * @return for each memdb event class, and JFR's MetadataRepository, the thread that initialized
   *     it
   */
  private static Map<String, String> firstBufferOfAJvm(String... jvmArgs) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(List.of(jvmArgs));
    command.addAll(
        List.of(
            "-Xlog:class+init=info:stdout",
            "-cp",
            System.getProperty("java.class.path"),
            FirstBufferOfAJvm.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    Pattern init =
        Pattern.compile(
            "Initializing 'jdk/jfr/internal/(MetadataRepository)'.* by thread \"([^\"]+)\""
                + "|Initializing 'dev/memdb/internal/events/(\\w+)'.* by thread \"([^\"]+)\"");
    Map<String, String> initializedBy = new HashMap<>();
    List<String> output = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        output.add(line);
        Matcher m = init.matcher(line);
        if (m.find()) {
          if (m.group(1) != null) {
            initializedBy.put(m.group(1), m.group(2));
          } else {
            initializedBy.put(m.group(3), m.group(4));
          }
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
    List<String> tail = output.subList(Math.max(0, output.size() - 20), output.size());
    assertEquals(0, p.exitValue(), "child JVM failed: " + tail);
    assertTrue(output.contains(FirstBufferOfAJvm.DONE), "the child did not write: " + tail);
    return initializedBy;
  }

  /** The child JVM: creates a buffer on "main", then grows, rolls back and closes it elsewhere. */
  static final class FirstBufferOfAJvm {
    static final String DONE = "first buffer written";

    public static void main(String[] args) throws Exception {
      MemDB db = MemDB.create(MemDBOptions.builder().initialBlockSize(1024).build());
      Thread writer =
          Thread.ofPlatform()
              .name("first-writer")
              .start(
                  () -> {
                    int h = db.staging();
                    for (int i = 0; i < 2_000; i++) {
                      db.set(new byte[] {(byte) (i >> 8), (byte) i}, new byte[200]);
                    }
                    db.cleanup(h);
                    db.close();
                  });
      writer.join();
      System.out.println(DONE);
    }
  }

  @Test
  void blocksRollbacksAndCloseAreRecorded() throws Exception {
    Path file = Files.createTempFile("memdb", ".jfr");
    long footprintAfterFill;
    long footprintAfterCleanup;
    try (Recording r = new Recording()) {
      r.enable("dev.memdb.BlockAllocated");
      r.enable("dev.memdb.BlockFreed");
      r.enable("dev.memdb.Rollback");
      r.enable("dev.memdb.BufferLifecycle");
      r.start();
      try (MemDB db =
          MemDB.create(
              MemDBOptions.builder().initialBlockSize(1024).maxBlockSize(1 << 16).build())) {
        db.set(new byte[] {1}, new byte[100]);
        int h = db.staging();
        for (int i = 0; i < 200; i++) {
          db.set(new byte[] {2, (byte) i}, new byte[300]);
        }
        footprintAfterFill = db.memoryFootprint();
        db.cleanup(h);
        footprintAfterCleanup = db.memoryFootprint();
      }
      r.stop();
      r.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Files.deleteIfExists(file);
    long allocated = sum(events, "dev.memdb.BlockAllocated", "size");
    long freed = sum(events, "dev.memdb.BlockFreed", "size");
    assertTrue(
        allocated >= footprintAfterFill, "allocated " + allocated + " < " + footprintAfterFill);
    assertEquals(
        allocated, freed, "every block allocated is freed by the end of the buffer's life");
    List<RecordedEvent> rollbacks = of(events, "dev.memdb.Rollback");
    assertEquals(1, rollbacks.size());
    RecordedEvent rb = rollbacks.get(0);
    assertEquals("cleanup", rb.getString("kind"));
    assertEquals(200, rb.getLong("recordsUndone"));
    assertEquals(footprintAfterFill - footprintAfterCleanup, rb.getLong("bytesFreed"));
    assertTrue(rb.getLong("bytesFreed") > 0, "the cleanup gave value blocks back");
    List<RecordedEvent> lifecycle = of(events, "dev.memdb.BufferLifecycle");
    assertEquals(1, lifecycle.size());
    assertEquals("close", lifecycle.get(0).getString("action"));
    assertEquals(footprintAfterCleanup, lifecycle.get(0).getLong("bytesFreed"));
    assertEquals(1, lifecycle.get(0).getLong("keys"));
  }

  private static List<RecordedEvent> of(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
  }

  private static long sum(List<RecordedEvent> events, String name, String field) {
    return of(events, name).stream().mapToLong(e -> e.getLong(field)).sum();
  }
}
