package dev.memdb;

import dev.memdb.internal.arena.ArenaMark;

/**
 * An opaque position in a buffer's value log, from {@link MemDB#checkpoint()}: {@link
 * MemDB#revertToCheckpoint(Checkpoint)} undoes every write made after it.
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
