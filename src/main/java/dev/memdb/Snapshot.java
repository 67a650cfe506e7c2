package dev.memdb;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A read view of a {@link MemDB} as of the start of its outermost open stage (or of the moment it
 * was taken, if no stage was open): the state before the running statement's own writes. It has the
 * read side of {@code MemDB}: copying and zero-allocation point reads, flags, iterators, {@link
 * #forEach forEach} and {@link #entries entries}, in the same unsigned key order.
 *
 * <p>Values are read as of the snapshot. Flags are not versioned (they record locks and assertions,
 * which a rollback keeps or drops as a whole): a snapshot shows a key's <em>current</em> flags, for
 * the keys that had a value at the snapshot, as its iterators do. Flag-only keys have no value and
 * are not part of a snapshot.
 *
 * <p>A snapshot becomes invalid when the outermost stage it was taken in is released or cleaned up,
 * when the buffer is reset, reverted to a checkpoint with no stage open, has its values discarded,
 * or is closed; using it then throws {@link StaleSnapshotException}.
 *
 * <p><b>Thread safety:</b> a snapshot is safe to share: its reads take no lock and may run on any
 * number of threads beside each other and beside the writer, linearizable like {@code MemDB}'s. The
 * iterators it opens belong to one thread at a time, like every {@link MemDBIterator}.
 */
public interface Snapshot {
  /**
   * Reads a key's value as of the snapshot.
   *
   * @param key the key
   * @return a copy of the value; {@code byte[0]} for a tombstone; {@code null} if the key had no
   *     value at the snapshot
   * @throws NullPointerException if {@code key} is null
   * @throws StaleSnapshotException if the snapshot is no longer valid
   */
  byte[] get(byte[] key);

  /**
   * Reads a key's value as of the snapshot into a caller's array without allocating, like {@link
   * MemDB#get(byte[], byte[])}.
   *
   * @param key the key
   * @param dst receives the value from index 0 if it fits
   * @return the value's length, copied only if {@code <= dst.length} (0 is a tombstone), or -1 if
   *     the key had no value at the snapshot; bytes of {@code dst} not covered by a copied value
   *     are unspecified
   * @throws NullPointerException if {@code key} or {@code dst} is null
   * @throws StaleSnapshotException if the snapshot is no longer valid
   */
  int get(byte[] key, byte[] dst);

  /**
   * Reads a key's value as of the snapshot into a caller's segment without allocating, like {@link
   * MemDB#get(MemorySegment, MemorySegment)}.
   *
   * @param key the key's bytes
   * @param dst receives the value from offset 0 if it fits
   * @return the value's length, copied only if {@code <= dst.byteSize()}, or -1 if the key had no
   *     value at the snapshot
   * @throws NullPointerException if {@code key} or {@code dst} is null
   * @throws StaleSnapshotException if the snapshot is no longer valid
   */
  long get(MemorySegment key, MemorySegment dst);

  /**
   * Reads the flags of a key that had a value at the snapshot: its current flags (flags are not
   * versioned), as the snapshot's iterators show them.
   *
   * @param key the key
   * @return the flags, or null if the key had no value at the snapshot
   * @throws NullPointerException if {@code key} is null
   * @throws StaleSnapshotException if the snapshot is no longer valid
   */
  KeyFlags getFlags(byte[] key);

  /**
   * Iterates ascending over keys in {@code [lower, upper)} that had a value at the snapshot.
   *
   * @param lower inclusive lower bound, {@code null} for none
   * @param upper exclusive upper bound, {@code null} for none
   * @return an iterator whose values are the snapshot's
   * @throws StaleSnapshotException if the snapshot is no longer valid
   */
  MemDBIterator iterator(byte[] lower, byte[] upper);

  /**
   * Iterates descending over keys in {@code [lower, upper)} that had a value at the snapshot.
   *
   * @param lower inclusive lower bound, {@code null} for none
   * @param upper exclusive upper bound, {@code null} for none
   * @return an iterator whose values are the snapshot's
   * @throws StaleSnapshotException if the snapshot is no longer valid
   */
  MemDBIterator descendingIterator(byte[] lower, byte[] upper);

  /**
   * Visits every key in {@code [lower, upper)} that had a value at the snapshot, ascending, as
   * {@link MemDB#forEach(byte[], byte[], EntryVisitor)} does for the current state.
   *
   * @param lower inclusive lower bound, {@code null} for none
   * @param upper exclusive upper bound, {@code null} for none
   * @param visitor receives copies of each key and value, and the key's flags
   * @throws NullPointerException if {@code visitor} is null
   * @throws StaleSnapshotException if the snapshot is or becomes invalid
   */
  default void forEach(byte[] lower, byte[] upper, EntryVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    Ranges.forEach(iterator(lower, upper), visitor);
  }

  /**
   * Streams the keys in {@code [lower, upper)} that had a value at the snapshot, ascending, as
   * {@link MemDB#entries(byte[], byte[])} does for the current state; close the stream or consume
   * it to its end.
   *
   * @param lower inclusive lower bound, {@code null} for none
   * @param upper exclusive upper bound, {@code null} for none
   * @return a stream of entries
   * @throws StaleSnapshotException if the snapshot is no longer valid (also from a later step)
   */
  default Stream<Entry> entries(byte[] lower, byte[] upper) {
    return Ranges.stream(iterator(lower, upper));
  }

  /**
   * Tells whether the snapshot can still be read.
   *
   * @return false once it became invalid
   */
  boolean isValid();
}
