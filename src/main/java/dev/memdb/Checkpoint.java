package dev.memdb;

import dev.memdb.internal.arena.ArenaMark;

/**
 * An opaque position in a buffer's value log, from {@link MemDB#checkpoint()}: {@link
 * MemDB#revertToCheckpoint(Checkpoint)} undoes every write made after it.
 *
 * <p><b>Thread safety:</b> immutable; it may be handed to any thread, and any thread may revert to
 * it (reverts are writes, serialized inside the buffer). Whether it is still revertible depends on
 * the buffer's state at the moment of the revert, not on the thread.
 */
public final class Checkpoint {
  final MemDB owner;
  final long resetGeneration;
  final ArenaMark mark;

  Checkpoint(MemDB owner, long resetGeneration, ArenaMark mark) {
    this.owner = owner;
    this.resetGeneration = resetGeneration;
    this.mark = mark;
  }

  @Override
  public String toString() {
    return "Checkpoint[" + mark + "]";
  }
}
