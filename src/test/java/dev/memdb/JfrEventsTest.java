package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** memdb's JFR events describe block growth, rollbacks and the end of a buffer's life. */
class JfrEventsTest {
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
