package dev.memdb;

/**
 * Receives the keys written in a stage, from {@link MemDB#inspectStage(int, StageVisitor)}.
 *
 * <p><b>Thread safety:</b> called on the thread that called {@code inspectStage}, one key at a
 * time, while that thread holds the buffer's write lock: other threads' writes wait until the visit
 * ends (lock-free reads do not), so keep the visitor short. It must not write to the buffer.
 */
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
