package dev.memdb;

/**
 * One entry of an exclusive visit ({@link MemDB#forEachExclusive(byte[], byte[],
 * EntryViewVisitor)}), read in place from the buffer's memory: nothing is copied until the visitor
 * asks for the key or the value, and then only into the array it chooses.
 *
 * <p>A view is valid only during the {@link EntryViewVisitor#visit(EntryView)} call that received
 * it: the same object then shows the next entry, and once the visit is over every method throws
 * {@link IllegalStateException}. Keep copies, never the view.
 *
 * <p><b>Thread safety:</b> use it only on the visiting thread, inside the visit: that thread holds
 * the buffer's write lock, which is what makes reading in place safe.
 */
public interface EntryView {
  /**
   * Returns the key's length.
   *
   * @return bytes in the key
   * @throws IllegalStateException if the view is used outside its visit call
   */
  int keyLength();

  /**
   * Copies the key into a caller's array, from index 0, if it fits.
   *
   * @param dst where the key goes
   * @return the key's length (copied only if {@code <= dst.length})
   * @throws NullPointerException if {@code dst} is null
   * @throws IllegalStateException if the view is used outside its visit call
   */
  int key(byte[] dst);

  /**
   * Returns a copy of the key.
   *
   * @return the key, the caller's to keep
   * @throws IllegalStateException if the view is used outside its visit call
   */
  byte[] key();

  /**
   * Returns the value's length.
   *
   * @return bytes in the value; 0 for a tombstone
   * @throws IllegalStateException if the view is used outside its visit call
   */
  int valueLength();

  /**
   * Copies the value into a caller's array, from index 0, if it fits.
   *
   * @param dst where the value goes
   * @return the value's length (copied only if {@code <= dst.length}; 0 for a tombstone)
   * @throws NullPointerException if {@code dst} is null
   * @throws IllegalStateException if the view is used outside its visit call
   */
  int value(byte[] dst);

  /**
   * Returns a copy of the value.
   *
   * @return the value, the caller's to keep; {@code byte[0]} for a tombstone
   * @throws IllegalStateException if the view is used outside its visit call
   */
  byte[] value();

  /**
   * Returns the key's flags.
   *
   * @return the flags
   * @throws IllegalStateException if the view is used outside its visit call
   */
  KeyFlags flags();
}
