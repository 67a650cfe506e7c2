package dev.memdb.internal.arena;

import dev.memdb.internal.arena.BlockAllocator.Block;
import dev.memdb.internal.arena.BlockPreparer.Preparation;

/**
 * The one block an arena holds prepared ahead of need, if any: requested by the writer when the
 * arena's current block is a quarter used, allocated on the {@link BlockPreparer} thread, taken by
 * the writer when the arena needs it.
 *
 * <p><b>Accounting.</b> A prepared block counts in the arena's bytes allocated (and the buffer's
 * footprint) from the moment it is requested until it is dropped; taking it into use changes
 * nothing but the bytes held ahead. Listeners hear of it once when requested ({@link
 * ArenaListener#blockPrepared}) and once when dropped ({@link ArenaListener#preparedBlockDropped}).
 *
 * <p><b>Ownership.</b> Writer-only; the hand-over with the preparer thread is {@link
 * Preparation}'s.
 */
final class BlockAhead {
  private final BlockLedger ledger; // immutable
  private final AheadBudget budget; // immutable reference; writer-only

  private Preparation pending;

  BlockAhead(BlockLedger ledger, AheadBudget budget) {
    this.ledger = ledger;
    this.budget = budget;
  }

  /**
   * Writer: makes sure a block of {@code size} bytes is prepared or under way, dropping one of
   * another size.
   *
   * @param size the block size the arena will need next
   * @return whether one is held or under way now (false: too small or over the budget)
   */
  boolean request(long size) {
    if (pending != null) {
      if (pending.size() == size) {
        return true;
      }
      drop();
    }
    if (!budget.tryTake(size)) {
      return false;
    }
    ledger.reserveAhead(size);
    pending = BlockPreparer.start(ledger.allocator(), size);
    return true;
  }

  /**
   * Writer: whether a block of this size is held or under way.
   *
   * @param size a block size
   * @return true if {@link #take(long)} of that size may return a block
   */
  boolean holds(long size) {
    return pending != null && pending.size() == size;
  }

  /**
   * Writer: takes the prepared block into use if it is ready. It never waits: the preparer thread
   * may be busy with other buffers' blocks.
   *
   * @param size the size needed
   * @return the block (already counted), or null: none of that size, not ready yet, or it failed
   */
  Block take(long size) {
    Preparation p = pending;
    if (p == null || p.size() != size || !p.isDone()) {
      return null;
    }
    pending = null;
    budget.give(size);
    return activate(size, p.take());
  }

  /**
   * Writer: takes the block of this size, waiting for it if the preparer is allocating it now
   * (which ends sooner than allocating it afresh); a preparation still queued is given up.
   *
   * @param size the size needed
   * @return the block (already counted), or null: none of that size, not started, or it failed
   */
  Block await(long size) {
    Preparation p = pending;
    if (p == null || p.size() != size) {
      return null;
    }
    pending = null;
    budget.give(size);
    return activate(size, p.await());
  }

  private Block activate(long size, Block b) {
    if (b == null) {
      ledger.dropAhead(size); // none: the caller allocates it, and reports a failure
    } else {
      ledger.activateAhead(size);
    }
    return b;
  }

  /** Writer: gives up the block held, if any: it goes back to the allocator. */
  void drop() {
    giveUp(false);
  }

  /**
   * Writer: gives up the block held, if any, and returns it to the allocator before returning,
   * waiting for an allocation under way; used where the arena lets go of everything (reset, close),
   * so that the pool and the process footprint are settled when the caller goes on.
   */
  void release() {
    giveUp(true);
  }

  private void giveUp(boolean settle) {
    Preparation p = pending;
    if (p != null) {
      pending = null;
      budget.give(p.size());
      if (settle) {
        p.release();
      } else {
        p.drop();
      }
      ledger.dropAhead(p.size());
    }
  }

  /**
   * Writer: the bytes held ahead.
   *
   * @return the prepared block's size, or 0
   */
  long bytes() {
    return pending == null ? 0 : pending.size();
  }
}
