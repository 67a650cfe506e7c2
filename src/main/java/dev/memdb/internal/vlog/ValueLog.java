package dev.memdb.internal.vlog;

import dev.memdb.internal.arena.Address;
import dev.memdb.internal.arena.ArenaMark;
import dev.memdb.internal.arena.MultiBlockArena;
import dev.memdb.internal.layout.ReadOutcome;
import dev.memdb.internal.layout.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The value log: an append-only arena of records (value bytes then a header naming the key's node
 * and its previous record), the undo information for stages and checkpoints.
 *
 * <p>Writer methods ({@code append}, {@code overwrite}, the {@code …Plain} reads, the backward
 * walk) run under the buffer's write lock. Reader methods take the block table a reader loaded once
 * per operation; they may read a record that a concurrent revert has just made obsolete, and rely
 * on the caller validating the node's version afterwards (any value they return is then discarded);
 * they never loop without bound: history walks only move to strictly older addresses.
 */
public final class ValueLog {
  private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

  private final MultiBlockArena arena;

  /**
   * Creates a value log over an (unaligned) arena.
   *
   * @param arena the arena records are appended to
   */
  public ValueLog(MultiBlockArena arena) {
    this.arena = arena;
  }

  /**
   * Returns the arena.
   *
   * @return the value arena
   */
  public MultiBlockArena arena() {
    return arena;
  }

  // ---------------------------------------------------------------- writer

  /**
   * Writer: appends a record.
   *
   * @param node the key's node
   * @param previous the key's current record, or {@link Address#NULL}
   * @param value the value (empty for a tombstone)
   * @return the new record's address
   * @throws OutOfMemoryError if the arena could not grow (nothing appended)
   */
  public long append(long node, long previous, MemorySegment value) {
    long length = value.byteSize();
    long start = arena.allocate(RecordLayout.size(length));
    MemorySegment s = arena.segmentPlain(start);
    long offset = Address.offset(start);
    MemorySegment.copy(value, 0, s, offset, length);
    long end = offset + length + RecordLayout.HEADER_SIZE;
    RecordLayout.writeHeader(s, end, (int) length, previous, node);
    return Address.of(Address.block(start), end);
  }

  /**
   * Writer: appends a record of a value held in an array (no wrapper segment allocated).
   *
   * @param node the key's node
   * @param previous the key's current record, or {@link Address#NULL}
   * @param value the value (empty for a tombstone)
   * @return the new record's address
   */
  public long append(long node, long previous, byte[] value) {
    long start = arena.allocate(RecordLayout.size(value.length));
    MemorySegment s = arena.segmentPlain(start);
    long offset = Address.offset(start);
    MemorySegment.copy(value, 0, s, BYTE, offset, value.length);
    long end = offset + value.length + RecordLayout.HEADER_SIZE;
    RecordLayout.writeHeader(s, end, value.length, previous, node);
    return Address.of(Address.block(start), end);
  }

  /** Writer: {@link #overwrite(long, MemorySegment)} from an array. */
  public void overwrite(long record, byte[] value) {
    MemorySegment s = arena.segmentPlain(record);
    long end = Address.offset(record);
    MemorySegment.copy(
        value, 0, s, BYTE, RecordLayout.valueOffset(end, value.length), value.length);
  }

  /**
   * Writer: overwrites a record's value with one of the same length. REQUIRES: the caller holds the
   * record's node in a change window (odd version, store-store fence) so readers copying the old
   * bytes retry.
   *
   * @param record the record
   * @param value the new value, exactly as long as the old one
   */
  public void overwrite(long record, MemorySegment value) {
    MemorySegment s = arena.segmentPlain(record);
    long end = Address.offset(record);
    int length = (int) value.byteSize();
    MemorySegment.copy(value, 0, s, RecordLayout.valueOffset(end, length), length);
  }

  /** Writer: the value length of a record. */
  public int lengthPlain(long record) {
    return RecordLayout.valueLength(arena.segmentPlain(record), Address.offset(record));
  }

  /** Writer: the record before this one in its key's history. */
  public long previousPlain(long record) {
    return RecordLayout.previous(arena.segmentPlain(record), Address.offset(record));
  }

  /** Writer: the node a record belongs to. */
  public long nodePlain(long record) {
    return RecordLayout.node(arena.segmentPlain(record), Address.offset(record));
  }

  /** Writer: a copy of a record's value. */
  public byte[] readPlain(long record) {
    MemorySegment s = arena.segmentPlain(record);
    long end = Address.offset(record);
    int len = RecordLayout.valueLength(s, end);
    byte[] out = new byte[len];
    MemorySegment.copy(s, BYTE, RecordLayout.valueOffset(end, len), out, 0, len);
    return out;
  }

  /**
   * Writer: the record just before {@code position} in log order, i.e. the record ending there.
   * Used to walk the log backwards from the tail.
   *
   * @param position a record address (the end of a record)
   * @return the position where that record starts, as the end of the previous record, or {@link
   *     ArenaMark#EMPTY_POSITION} when it was the very first record
   */
  public long positionBefore(long position) {
    int block = Address.block(position);
    long start = RecordLayout.valueOffset(Address.offset(position), lengthPlain(position));
    if (start > 0) {
      return Address.of(block, start);
    }
    // Blocks are never empty (a block is made together with the record that needed it), so the
    // previous record ends exactly where the previous block's used part ends.
    return block == 0 ? ArenaMark.EMPTY_POSITION : Address.of(block - 1, arena.usedOf(block - 1));
  }

  /** Writer: the current tail, as a position comparable with record addresses. */
  public long tailPosition() {
    return arena.tailPosition();
  }

  // ---------------------------------------------------------------- readers

  /**
   * Reader: the value length of a record, checked against the record's block so a stale address
   * cannot make the caller allocate more than the block holds.
   *
   * @return the length, or -1 if the bytes there cannot be a record
   */
  public int length(MemorySegment[] table, long record) {
    return length(arena.segment(table, record), record);
  }

  /**
   * Reader: the block a record lies in, resolved once for {@link #length(MemorySegment, long)} and
   * {@link #copy(MemorySegment, long, int, byte[], int)}.
   *
   * @param table a table from {@code arena().blocksAcquire()}
   * @param record a non-null record address
   * @return the record's block
   */
  public MemorySegment block(MemorySegment[] table, long record) {
    return arena.segment(table, record);
  }

  /** As {@link #length(MemorySegment[], long)}, in the record's block. */
  public int length(MemorySegment block, long record) {
    long end = Address.offset(record);
    int len = RecordLayout.valueLength(block, end);
    return len < 0 || RecordLayout.valueOffset(end, len) < 0 ? -1 : len;
  }

  /** Reader: copies {@code length} value bytes of a record into {@code out}. */
  public void copy(MemorySegment[] table, long record, int length, byte[] out) {
    copy(table, record, length, out, 0);
  }

  /** Reader: copies {@code length} value bytes of a record into {@code out} from {@code at}. */
  public void copy(MemorySegment[] table, long record, int length, byte[] out, int at) {
    copy(arena.segment(table, record), record, length, out, at);
  }

  /** As {@link #copy(MemorySegment[], long, int, byte[], int)}, from the record's block. */
  public void copy(MemorySegment block, long record, int length, byte[] out, int at) {
    MemorySegment.copy(
        block, BYTE, RecordLayout.valueOffset(Address.offset(record), length), out, at, length);
  }

  /** Reader: copies {@code length} value bytes of a record into {@code out} at offset 0. */
  public void copy(MemorySegment[] table, long record, int length, MemorySegment out) {
    MemorySegment s = arena.segment(table, record);
    MemorySegment.copy(s, RecordLayout.valueOffset(Address.offset(record), length), out, 0, length);
  }

  /** Reader: the previous record of a record's key. */
  public long previous(MemorySegment[] table, long record) {
    return RecordLayout.previous(arena.segment(table, record), Address.offset(record));
  }

  /**
   * Reader: the newest record of a history chain written at or before a mark ("the value as of the
   * snapshot").
   *
   * @param table the value block table the reader loaded
   * @param newest the node's current record, or NULL
   * @param asOf the snapshot's position ({@link ArenaMark#position()})
   * @return that record, {@link Address#NULL} if none, or {@link ReadOutcome#RETRY} if the chain is
   *     torn (the reader raced a revert)
   */
  public long asOf(MemorySegment[] table, long newest, long asOf) {
    long r = newest;
    while (r != Address.NULL && r > asOf) {
      long prev = previous(table, r);
      if (prev != Address.NULL && prev >= r) {
        return ReadOutcome.RETRY; // history only points to older records: a torn read
      }
      r = prev;
    }
    return r;
  }
}
