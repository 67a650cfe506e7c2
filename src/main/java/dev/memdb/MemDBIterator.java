package dev.memdb;

import java.util.NoSuchElementException;

/**
 * A cursor over a range of keys, ascending or descending.
 *
 * <p>Iterators are weakly consistent, like {@code ConcurrentSkipListMap}'s: they never throw
 * because of concurrent writes, return keys in strict order, return every key that was present for
 * the whole iteration, and never return a key/value pair that was not present at some moment during
 * the iteration. The key, value and flags of an entry are captured together, at one moment during
 * the iteration.
 *
 * <p>Iterators read ahead: a move may capture the next few entries (up to 32) in one validated pass
 * and hand them out on later moves without reading the buffer again, so an entry's capture can
 * precede the move that reaches it, and a write made after that moment, even by the iterating
 * thread, may not be seen. Every move still checks that the buffer is open (and that a snapshot is
 * still valid). Closing an iterator, or running it to its end, hands its read-ahead buffers to the
 * next iterator opened on the same buffer. One iterator is meant for one thread at a time.
 */
public interface MemDBIterator extends AutoCloseable {
  /**
   * Tells whether the iterator stands on a key.
   *
   * @return false once the range is exhausted or the iterator closed
   */
  boolean valid();

  /**
   * Returns a copy of the current key.
   *
   * @return the key
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   */
  byte[] key();

  /**
   * Returns a copy of the current value.
   *
   * @return the value; {@code byte[0]} for a tombstone; {@code null} for a flag-only key
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   */
  byte[] value();

  /**
   * Copies the current key into a caller's array without allocating.
   *
   * @param dst receives the key from index 0 if it fits
   * @return the key's length (copied only if {@code <= dst.length})
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   */
  default int key(byte[] dst) {
    byte[] k = key();
    if (k.length <= dst.length) {
      System.arraycopy(k, 0, dst, 0, k.length);
    }
    return k.length;
  }

  /**
   * Copies the current value into a caller's array without allocating.
   *
   * @param dst receives the value from index 0 if it fits
   * @return the value's length (copied only if {@code <= dst.length}; 0 for a tombstone), or -1 for
   *     a flag-only key
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   */
  default int value(byte[] dst) {
    byte[] v = value();
    if (v == null) {
      return -1;
    }
    if (v.length <= dst.length) {
      System.arraycopy(v, 0, dst, 0, v.length);
    }
    return v.length;
  }

  /**
   * Returns the current key's flags.
   *
   * @return the flags
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   */
  KeyFlags flags();

  /**
   * Tells whether the current key has a value (a tombstone counts as a value).
   *
   * @return false for a flag-only key
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   */
  boolean hasValue();

  /**
   * Moves to the next key in the iterator's direction.
   *
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   * @throws IllegalStateException if the buffer was closed
   */
  void next();

  /** Releases the iterator; it becomes invalid. Idempotent. */
  @Override
  void close();
}
