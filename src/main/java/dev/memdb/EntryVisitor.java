package dev.memdb;

/**
 * Receives the entries of a range, from {@link MemDB#forEach(byte[], byte[], EntryVisitor)} and
 * {@link Snapshot#forEach(byte[], byte[], EntryVisitor)}, in ascending key order.
 *
 * <p><b>Thread safety:</b> called on the thread that called {@code forEach}, one entry at a time,
 * with no lock held; the visitor needs to be thread-safe only if it shares state with other threads
 * itself.
 */
@FunctionalInterface
public interface EntryVisitor {
  /**
   * Called once per key of the range.
   *
   * @param key a copy of the key, the caller's to keep
   * @param value a copy of the value, the caller's to keep; {@code byte[0]} for a tombstone
   * @param flags the key's flags
   */
  void visit(byte[] key, byte[] value, KeyFlags flags);
}
