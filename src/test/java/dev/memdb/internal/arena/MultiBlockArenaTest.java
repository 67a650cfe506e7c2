package dev.memdb.internal.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** How a reader resolves value-log addresses against the published block table. */
class MultiBlockArenaTest {
  private final MultiBlockArena arena =
      new MultiBlockArena("values", BlockAllocator.sharedArenas(), 64, 1024, ArenaListener.NONE);

  @Test
  void resolvesAnAddressPublishedAfterTheReadersTable() {
    MemorySegment[] before = arena.blocksAcquire();
    arena.allocate(40);
    long second = arena.allocate(40); // does not fit the 64-byte block: block 1
    assertEquals(1, Address.block(second));
    assertSame(arena.segmentPlain(second), arena.segment(before, second));
    arena.reset();
  }

  @Test
  void tornAddressesFailAsIndexOutOfBounds() {
    arena.allocate(40);
    MemorySegment[] table = arena.blocksAcquire();
    // A torn read may yield any block index; the ones that would land on the table's padding
    // (negative) or past its end must fail the way OptimisticRead retries on, never with null.
    for (int block : new int[] {-1, -16, -17, Integer.MIN_VALUE, 1, 17, Integer.MAX_VALUE}) {
      long address = Address.of(block, 0);
      assertThrows(
          IndexOutOfBoundsException.class, () -> arena.segment(table, address), "block " + block);
    }
    arena.reset();
  }
}
