package dev.memdb.internal.tree;

import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Key comparison: unsigned lexicographic, a proper prefix first, like {@code Arrays.compareUnsigned}. */
public final class Keys {
  private Keys() {}

  /**
   * Compares a search key with a node's key without slicing either segment.
   *
   * @param key the search key
   * @param keyLength its length
   * @param s the node's block
   * @param node the node's offset in its block
   * @return negative, zero or positive as the search key is below, equal to or above the node's
   */
  public static int compare(MemorySegment key, long keyLength, MemorySegment s, long node) {
    long start = NodeLayout.keyAt(node);
    long nodeKeyLength = NodeLayout.keyLength(s, node);
    long i = MemorySegment.mismatch(key, 0, keyLength, s, start, start + nodeKeyLength);
    if (i < 0) {
      return 0;
    }
    if (i == keyLength) {
      return -1;
    }
    if (i == nodeKeyLength) {
      return 1;
    }
    return Byte.toUnsignedInt(key.get(ValueLayout.JAVA_BYTE, i))
        - Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, start + i));
  }
}
