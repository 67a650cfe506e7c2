package dev.memdb;

/** Receives the keys written in a stage, from {@link MemDB#inspectStage(int, StageVisitor)}. */
@FunctionalInterface
public interface StageVisitor {
  /**
   * Called once per key whose current value was written in the inspected stage or later, newest
   * write first. The visitor must not write to the buffer.
   *
   * @param key a copy of the key
   * @param flags the key's flags
   * @param value a copy of the key's current value ({@code byte[0]} for a tombstone)
   */
  void visit(byte[] key, KeyFlags flags, byte[] value);
}
