package dev.memdb;

/**
 * Receives the entries of an exclusive visit ({@link MemDB#forEachExclusive(byte[], byte[],
 * EntryViewVisitor)}) in ascending key order.
 *
 * <p><b>Thread safety:</b> called on the thread that called {@code forEachExclusive}, one entry at
 * a time, while that thread holds the buffer's write lock: other threads' writes wait until the
 * visit ends (lock-free reads do not). It must not write to the buffer.
 */
@FunctionalInterface
public interface EntryViewVisitor {
  /**
   * Called once per key of the range that has a value (tombstones included).
   *
   * @param entry the entry, valid only during this call
   */
  void visit(EntryView entry);
}
