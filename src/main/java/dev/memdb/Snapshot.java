package dev.memdb;

/**
 * A read view of a {@link MemDB} as of the start of its outermost open stage (or of the moment it
 * was taken, if no stage was open): the state before the running statement's own writes.
 *
 * <p>A snapshot becomes invalid when the outermost stage it was taken in is released or cleaned up,
 * when the buffer is reset, reverted to a checkpoint with no stage open, has its values discarded,
 * or is closed; using it then throws {@link StaleSnapshotException}. Reads take no lock and may run
 * on any thread beside the writer.
 */
public interface Snapshot {
  /**
   * Reads a key's value as of the snapshot.
   *
   * @param key the key
   * @return a copy of the value; {@code byte[0]} for a tombstone; {@code null} if the key had no
   *     value at the snapshot
   * @throws StaleSnapshotException if the snapshot is no longer valid
   */
  byte[] get(byte[] key);

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
   * Tells whether the snapshot can still be read.
   *
   * @return false once it became invalid
   */
  boolean isValid();
}
