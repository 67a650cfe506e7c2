package dev.memdb.internal.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

  /** The node of the last entry: the next pass steps from it. */
  long lastNode;

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
   * Starts appending an entry: copies its key from a node. The entry has no value until {@link
   * #setValue} or {@link #setNoValue}, and is part of the batch only after {@link #commitEntry}.
   */
  void appendKey(MemorySegment s, long keyOffsetInBlock, int length) {
    if (count == keyOffset.length) {
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
    if (keys.length - keysUsed < length) {
      keys = Arrays.copyOf(keys, Math.max(keysUsed + length, keys.length * 2));
    }
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, keyOffsetInBlock, keys, keysUsed, length);
    keyOffset[count] = keysUsed;
    keyLength[count] = length;
    valueOffset[count] = valuesUsed;
    valueLength[count] = NO_VALUE;
    records[count] = NO_RECORD;
  }

  /** Whether a value of {@code length} bytes fits without growing the value array. */
  boolean hasValueRoom(int length) {
    return values.length - valuesUsed >= length;
  }

  /**
   * Makes room for a value of {@code length} bytes of the entry being appended.
   *
   * @return the array to copy it into, at {@link #valueEnd()}
   */
  byte[] valueRoom(int length) {
    if (values.length - valuesUsed < length) {
      values = Arrays.copyOf(values, Math.max(valuesUsed + length, values.length * 2));
    }
    return values;
  }

  /**
   * The entry being appended has a value of {@code length} bytes, to be copied from {@code record}
   * to {@link #valueEnd} by the pass's second phase; room for it was made with {@link #valueRoom}.
   */
  void setPendingValue(int length, long record) {
    valueLength[count] = length;
    records[count] = record;
  }

  /** The entry being appended has no value ({@link #NO_VALUE}) or a discarded one. */
  void setNoValue(int marker) {
    valueLength[count] = marker;
  }

  /** Where the value of the entry being appended goes. */
  int valueEnd() {
    return valuesUsed;
  }

  /**
   * Makes the entry being appended part of the batch.
   *
   * @param entryFlags the node's flags word as shown
   * @param node the node it was captured from
   * @param version the node's version during the capture
   */
  void commitEntry(int entryFlags, long node, int version) {
    flags[count] = entryFlags;
    nodes[count] = node;
    versions[count] = version;
    keysUsed += keyLength[count];
    if (valueLength[count] > 0) {
      valuesUsed += valueLength[count];
    }
    count++;
  }

  /** The record entry {@code i}'s value is still to be copied from, or {@link #NO_RECORD}. */
  long record(int i) {
    return records[i];
  }

  long node(int i) {
    return nodes[i];
  }

  int version(int i) {
    return versions[i];
  }

  /** The array values are copied into, at {@link #valueOffset(int)}. */
  byte[] valueArray() {
    return values;
  }

  int valueOffset(int i) {
    return valueOffset[i];
  }

  /** Keeps only the first {@code n} entries, {@code n >= 1}: the rest could not be validated. */
  void truncate(int n) {
    count = n;
    keysUsed = keyOffset[n - 1] + keyLength[n - 1];
    valuesUsed = valueOffset[n - 1] + Math.max(valueLength[n - 1], 0);
    lastNode = nodes[n - 1];
    end = false;
  }

  /** Drops the last committed entry (it lay beyond the range's end). */
  void dropLast() {
    count--;
    keysUsed = keyOffset[count];
    valuesUsed = valueOffset[count];
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

  /** Compares entry {@code i}'s key with {@code other}, unsigned. */
  int compareKey(int i, byte[] other) {
    return Arrays.compareUnsigned(
        keys, keyOffset[i], keyOffset[i] + keyLength[i], other, 0, other.length);
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
