package dev.memdb.internal.core;

import dev.memdb.internal.arena.Address;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The entries one optimistic pass of an iterator captured: keys, values and flags copied on-heap,
 * in iteration order, plus where the next pass continues. Arrays grow as needed and are reused by
 * every later pass, so a long iteration allocates nothing once they have grown.
 */
final class CursorBatch {
  /** Value length of a flag-only key. */
  static final int NO_VALUE = -1;

  /** Value length of a key whose values were discarded. */
  static final int DISCARDED = -2;

  int count;
  private byte[] keys = new byte[512];

  private int keysUsed;
  private byte[] values = new byte[2048];
  private int valuesUsed;
  private int[] keyOffset = new int[16];
  private int[] keyLength = new int[16];
  private int[] valueOffset = new int[16];
  private int[] valueLength = new int[16];
  private int[] flags = new int[16];

  // Per entry, for the pass's second phase: the record whose bytes are still to be copied (or
  // NO_RECORD), and the node and version the copy is validated against.
  private long[] records = new long[16];
  private long[] nodes = new long[16];
  private int[] versions = new int[16];

  /** {@link #record(int)} of an entry whose value needs no copy (none, discarded, or copied). */
  static final long NO_RECORD = -1;

  /** The other batch of the iterator: one is returned from while the other is filled. */
  CursorBatch pair;

  /** Makes two batches that name each other as {@link #pair}. */
  static CursorBatch newPair() {
    CursorBatch a = new CursorBatch();
    CursorBatch b = new CursorBatch();
    a.pair = b;
    b.pair = a;
    return a;
  }

  /** The node of the last entry, {@code count >= 1}: the next pass steps from it. */
  long lastNode() {
    return nodes[count - 1];
  }

  /** The store generation the pass ran in: node addresses of another generation mean nothing. */
  long generation;

  /** True when the pass reached the end of the range after its last entry. */
  boolean end;

  void clear() {
    count = 0;
    keysUsed = 0;
    valuesUsed = 0;
    end = false;
  }

  /** Bytes the batch's arrays take, roughly: whether it is worth keeping for reuse. */
  long retainedBytes() {
    return keys.length + values.length + 20L * keyOffset.length;
  }

  /** Bytes of values held, to bound a pass. */
  int valueBytes() {
    return valuesUsed;
  }

  /**
   * The pass's first phase: adds the entry of a validated node, with the key length and flags its
   * header word gave and the record its value pointer named. Neither its key nor its value is
   * copied yet ({@link #copyKey(int, MemorySegment, long)}, {@link #valueRoom}); the second phase
   * copies both and validates the node again.
   *
   * @param valueMarker {@link #NO_VALUE} or {@link #DISCARDED} if the entry shows no value bytes,
   *     else 0
   */
  void addNode(long node, int version, int entryFlags, int length, long record, int valueMarker) {
    if (count == nodes.length) {
      grow();
    }
    nodes[count] = node;
    versions[count] = version;
    flags[count] = entryFlags;
    keyLength[count] = length;
    records[count] = valueMarker == 0 ? record : NO_RECORD;
    valueLength[count] = valueMarker == 0 ? 0 : valueMarker;
    count++;
  }

  private void grow() {
    int n = count * 2;
    keyOffset = Arrays.copyOf(keyOffset, n);
    keyLength = Arrays.copyOf(keyLength, n);
    valueOffset = Arrays.copyOf(valueOffset, n);
    valueLength = Arrays.copyOf(valueLength, n);
    flags = Arrays.copyOf(flags, n);
    records = Arrays.copyOf(records, n);
    nodes = Arrays.copyOf(nodes, n);
    versions = Arrays.copyOf(versions, n);
  }

  /**
   * The second phase, entry {@code i} (entries are copied in order): copies its key from its node.
   * REQUIRES: {@link #hasKeyRoom(int)}, or {@link #growKeys(int)} called.
   */
  void copyKey(int i, MemorySegment s, long keyOffsetInBlock) {
    int length = keyLength[i];
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, keyOffsetInBlock, keys, keysUsed, length);
    keyOffset[i] = keysUsed;
    keysUsed += length;
  }

  /**
   * The second phase, entries {@code from..to} whose nodes lie one after the other in the node
   * block: copies the bytes from the first key to the end of the last in one copy (the headers
   * between them come along), and points each entry at its key in it. REQUIRES: {@code span <=}
   * {@link #keyRoom()}.
   */
  void copyKeyRun(int from, int to, MemorySegment s, long start, int span) {
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, start, keys, keysUsed, span);
    for (int i = from; i <= to; i++) {
      keyOffset[i] = keysUsed + (int) (NodeLayout.keyAt(nodes[i]) - start);
    }
    keysUsed += span;
  }

  /** Bytes the key array holds beyond the keys copied so far. */
  long keyRoom() {
    return keys.length - keysUsed;
  }

  /** Whether entry {@code i}'s key fits without growing the key array. */
  boolean hasKeyRoom(int i) {
    return keyRoom() >= keyLength[i];
  }

  /** Grows the key array so that entry {@code i}'s key fits, once its length is trusted. */
  void growKeys(int i) {
    growKeysBy(keyLength[i]);
  }

  /** Grows the key array so that {@code bytes} more fit, once that size is trusted. */
  void growKeysBy(long bytes) {
    keys = Arrays.copyOf(keys, (int) Math.max(keysUsed + bytes, keys.length * 2L));
  }

  /**
   * The first phase: drops entries {@code n} and later, which were added but not copied yet: the
   * node of entry {@code n} changed, so neither it nor the link that led beyond it is trusted.
   */
  void dropFrom(int n) {
    count = n;
    end = false;
  }

  /** Whether a value of this length fits without growing the value array. */
  boolean hasValueRoom(int length) {
    return valueRoom() >= length;
  }

  /** Grows the value array so that a value of this length fits, once the length is trusted. */
  void growValues(long length) {
    values = Arrays.copyOf(values, (int) Math.max(valuesUsed + length, values.length * 2L));
  }

  /**
   * The second phase, entry {@code i}: takes room for its value of {@code length} bytes and returns
   * the array; the value goes at {@link #valueOffset(int)}. REQUIRES: {@link #hasValueRoom(int)},
   * or {@link #growValues(long)} called.
   */
  byte[] valueRoom(int i, int length) {
    valueOffset[i] = valuesUsed;
    valueLength[i] = length;
    valuesUsed += length;
    return values;
  }

  /** The second phase, entry {@code i} that shows no value bytes: it takes no room. */
  void noValueBytes(int i) {
    valueOffset[i] = valuesUsed;
  }

  /** Bytes the value array holds beyond the values copied so far. */
  long valueRoom() {
    return values.length - valuesUsed;
  }

  /**
   * The second phase, entries {@code from..to} whose records may lie one after the other in one
   * value block, entry {@code from}'s value length noted ({@link #setValueLength}): copies the
   * bytes from the first value to the end of the last record's header in one copy, then reads each
   * later record's value length from the copy, where it ends, and keeps the entries whose value
   * starts where the record before ends: the run is the longest such prefix. The record headers
   * read from the copy were read inside the entries' windows like any other copied byte, so the
   * validation after the pass's copies covers them. REQUIRES: {@code span <=} {@link #valueRoom()}.
   *
   * @return the last entry of the run, {@code from} if only the first value is kept
   */
  int copyValueRun(int from, int to, MemorySegment block, long start, int span) {
    MemorySegment.copy(block, ValueLayout.JAVA_BYTE, start, values, valuesUsed, span);
    long base = valuesUsed - start; // where a block offset of the run lands in the copy
    valueOffset[from] = valuesUsed;
    long end = Address.offset(records[from]); // the end of the last record of the run so far
    int last = from;
    while (last < to) {
      long next = Address.offset(records[last + 1]);
      long gap = next - RecordLayout.HEADER_SIZE - end; // its length, if it starts at `end`
      if (RecordLayout.valueLengthInCopy(values, (int) (base + next)) != gap) {
        break; // another record lies between them, or the bytes were torn
      }
      last++;
      valueOffset[last] = (int) (base + end);
      valueLength[last] = (int) gap;
      end = next;
    }
    valuesUsed = (int) (base + end - RecordLayout.HEADER_SIZE);
    return last;
  }

  /** Notes entry {@code i}'s value length, read from its record, before a run copies it. */
  void setValueLength(int i, int length) {
    valueLength[i] = length;
  }

  /**
   * The first entry in {@code [from, to)} whose node's version is no longer the one captured, or
   * {@code to}. One load-load fence serves them all: every read it must order (the entries' copies
   * and links) came before it.
   */
  int firstChanged(MemorySegment s, int from, int to) {
    if (from == to) {
      return to; // nothing to validate (a hidden node right after another): no fence
    }
    VarHandle.loadLoadFence();
    for (int i = from; i < to; i++) {
      if (NodeLayout.versionPlain(s, nodes[i]) != versions[i]) {
        return i;
      }
    }
    return to;
  }

  /** The record whose value entry {@code i} shows, or {@link #NO_RECORD}. */
  long record(int i) {
    return records[i];
  }

  /** The node entry {@code i} was captured from. */
  long node(int i) {
    return nodes[i];
  }

  /** Where entry {@code i}'s value lies in the value array. */
  int valueOffset(int i) {
    return valueOffset[i];
  }

  /**
   * Keeps only the first {@code n} entries, {@code n >= 1}, whose keys and values the second phase
   * copied: the rest could not be validated, or would take the pass past its value budget.
   */
  void truncate(int n) {
    count = n;
    keysUsed = keyOffset[n - 1] + keyLength[n - 1];
    valuesUsed = valueOffset[n - 1] + Math.max(valueLength[n - 1], 0);
    end = false;
  }

  int keyLength(int i) {
    return keyLength[i];
  }

  int valueLength(int i) {
    return valueLength[i];
  }

  int flags(int i) {
    return flags[i];
  }

  byte[] key(int i) {
    return Arrays.copyOfRange(keys, keyOffset[i], keyOffset[i] + keyLength[i]);
  }

  byte[] value(int i) {
    return Arrays.copyOfRange(values, valueOffset[i], valueOffset[i] + valueLength[i]);
  }

  void copyKey(int i, byte[] dst) {
    System.arraycopy(keys, keyOffset[i], dst, 0, keyLength[i]);
  }

  void copyValue(int i, byte[] dst) {
    System.arraycopy(values, valueOffset[i], dst, 0, valueLength[i]);
  }

  /** Compares entry {@code i}'s key with entry {@code j}'s key of another batch, unsigned. */
  int compareKey(int i, CursorBatch other, int j) {
    return Arrays.compareUnsigned(
        keys,
        keyOffset[i],
        keyOffset[i] + keyLength[i],
        other.keys,
        other.keyOffset[j],
        other.keyOffset[j] + other.keyLength[j]);
  }

  /** Entry {@code i}'s key as a heap segment, for a seek. */
  MemorySegment keySegment(int i) {
    return MemorySegment.ofArray(key(i));
  }
}
