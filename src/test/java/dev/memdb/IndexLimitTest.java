package dev.memdb;

import static dev.memdb.TestKeys.k;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memdb.internal.arena.BlockAllocator;
import org.junit.jupiter.api.Test;

/**
 * The node block's limit is a typed exception thrown before anything changes. The real limit is 16
 * GiB; the test seam sets a small one.
 */
class IndexLimitTest {
  private static final long LIMIT = 64 * 1024;

  @Test
  void aWriteOverTheIndexLimitThrowsAndLeavesTheBufferUnchanged() {
    try (MemDB db =
        MemDB.create(MemDBOptions.builder().build(), BlockAllocator.sharedArenas(), LIMIT)) {
      int i = 0;
      IndexTooLargeException e = null;
      while (e == null) {
        try {
          db.set(k(i), k(i));
          i++;
        } catch (IndexTooLargeException full) {
          e = full;
        }
      }
      assertEquals(LIMIT, e.limit());
      assertTrue(e.requested() > LIMIT, e.getMessage());
      assertTrue(i > 1000, "64 KiB holds over a thousand 40-byte nodes: " + i);
      long footprint = db.memoryFootprint();
      assertEquals(i, db.keyCount());
      assertEquals(null, db.get(k(i)));
      assertEquals(LIMIT, db.stats().nodes().bytesAllocated());
      // Still usable: existing keys can be overwritten, new ones are refused the same way.
      db.set(k(0), k(42));
      assertArrayEquals(k(42), db.get(k(0)));
      assertThrows(IndexTooLargeException.class, () -> db.set(k(-1), k(0)));
      assertEquals(i, db.keyCount());
      assertTrue(db.memoryFootprint() >= footprint);
      TestKeys.checkTree(db);
      int count = 0;
      try (MemDBIterator it = db.iterator(null, null)) {
        for (; it.valid(); it.next()) {
          count++;
        }
      }
      assertEquals(i, count);
    }
  }
}
