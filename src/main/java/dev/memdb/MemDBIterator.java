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
 * next iterator opened on the same buffer.
 *
 * <p><b>After the buffer is closed</b>, every call but {@link #close()} throws {@code
 * IllegalStateException("MemDB is closed")}, even on an iterator that had entries read ahead or had
 * already reached its end; {@code close()} stays a no-op that never throws, so that
 * try-with-resources does not mask the exception that ended the loop. <b>After {@link #next()}
 * threw</b> (the buffer closed, a snapshot became stale), the iterator is invalid: {@link #valid()}
 * is false (or throws, if the buffer is closed) and {@code key()}, {@code next()} and the other
 * accessors throw {@link NoSuchElementException}; {@link #seek(byte[])} may position it again.
 *
 * <p><b>Thread safety:</b> an iterator is not thread-safe: use it from one thread at a time (hand
 * it over with the usual happens-before, e.g. through a {@code volatile} field or an executor). Any
 * number of iterators may run on different threads beside each other and beside a writer; that is
 * what weak consistency covers. The arrays it returns are fresh copies the caller owns.
 */
public interface MemDBIterator extends AutoCloseable {
  /**
   * Tells whether the iterator stands on a key.
   *
   * @return false once the range is exhausted, the iterator closed, or {@link #next()} threw
   * @throws IllegalStateException if the buffer was closed
   */
  boolean valid();

  /**
   * Returns a copy of the current key.
   *
   * @return the key
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   * @throws IllegalStateException if the buffer was closed
   */
  byte[] key();

  /**
   * Returns a copy of the current value.
   *
   * @return the value; {@code byte[0]} for a tombstone; {@code null} for a flag-only key
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   * @throws IllegalStateException if the buffer was closed
   */
  byte[] value();

  /**
   * Copies the current key into a caller's array without allocating.
   *
   * @param dst receives the key from index 0 if it fits
   * @return the key's length (copied only if {@code <= dst.length})
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   * @throws NullPointerException if {@code dst} is null
   * @throws IllegalStateException if the buffer was closed
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
   * @throws NullPointerException if {@code dst} is null
   * @throws IllegalStateException if the buffer was closed
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
   * @throws IllegalStateException if the buffer was closed
   */
  KeyFlags flags();

  /**
   * Tells whether the current key has a value (a tombstone counts as a value).
   *
   * @return false for a flag-only key
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   * @throws IllegalStateException if the buffer was closed
   */
  boolean hasValue();

  /**
   * Moves to the next key in the iterator's direction. If it throws, the iterator is left invalid.
   *
   * @throws NoSuchElementException if the iterator is not {@link #valid()}
   * @throws IllegalStateException if the buffer was closed
   * @throws StaleSnapshotException on an iterator of a snapshot that is no longer valid
   */
  void next();

  /**
   * Repositions the iterator as if it had just been opened with {@code key} as its start bound,
   * within its own bounds {@code [lower, upper)}:
   *
   * <ul>
   *   <li><b>ascending</b>: on the first key {@code >= key} (an inclusive start, like {@code
   *       lower});
   *   <li><b>descending</b>: on the last key {@code < key} (an exclusive start, like {@code
   *       upper}), so seeking to the last key returned continues strictly below it.
   * </ul>
   *
   * <p>A key before the iterator's start bound (below {@code lower} ascending, above {@code upper}
   * descending) is clamped to that bound; a key at or beyond the far bound leaves the iterator
   * invalid. Keys are compared unsigned, byte by byte. A seek works on an iterator that ran to its
   * end or whose {@code next()} threw, and reads the buffer afresh (entries read ahead are
   * dropped). The iterator copies {@code key}.
   *
   * @param key where to go
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if the buffer was closed, or this iterator was closed
   * @throws StaleSnapshotException on an iterator of a snapshot that is no longer valid
   */
  void seek(byte[] key);

  /**
   * Releases the iterator; it becomes invalid. Idempotent, and it never throws, not even after the
   * buffer was closed.
   */
  @Override
  void close();
}
