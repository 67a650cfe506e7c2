package dev.memdb.internal.tree;

import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Key comparison: unsigned lexicographic, a proper prefix first, like {@code
 * Arrays.compareUnsigned}.
 */
public final class Keys {
  /** Prefix length of the fast path: one 64-bit word. */
  static final int PREFIX = Long.BYTES;

  /** Keys are compared word by word over at most this many leading bytes, then in bulk. */
  static final int WORD_COMPARE_BYTES = 32;

  private static final ValueLayout.OfLong BIG_ENDIAN_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

  private Keys() {}

  /**
   * Returns the first 8 bytes of a search key as one big-endian number, computed once per operation
   * for {@link #compare(MemorySegment, long, long, MemorySegment, long)}.
   *
   * @param key the search key
   * @param keyLength its length
   * @return the prefix, or 0 when the key is shorter than 8 bytes (then unused)
   */
  public static long prefix(MemorySegment key, long keyLength) {
    return keyLength >= PREFIX ? key.get(BIG_ENDIAN_LONG, 0) : 0;
  }

  /**
   * Compares a search key with a node's key. When both keys have 8 bytes or more, the first 8
   * decide as one unsigned word (most comparisons in a tree stop there); otherwise, and on a tie,
   * {@link MemorySegment#mismatch} decides over the rest.
   *
   * @param key the search key
   * @param keyLength its length
   * @param keyPrefix {@link #prefix(MemorySegment, long)} of the search key
   * @param s the node's block
   * @param node the node's address
   * @return negative, zero or positive as the search key is below, equal to or above the node's
   */
  public static int compare(
      MemorySegment key, long keyLength, long keyPrefix, MemorySegment s, long node) {
    return compare(key, keyLength, keyPrefix, s, node, NodeLayout.keyLength(s, node));
  }

  /**
   * As {@link #compare(MemorySegment, long, long, MemorySegment, long)}, with the node's key length
   * already known (from its header word).
   */
  public static int compare(
      MemorySegment key,
      long keyLength,
      long keyPrefix,
      MemorySegment s,
      long node,
      int nodeKeyLength) {
    long start = NodeLayout.keyAt(node);
    long from = 0;
    if (keyLength >= PREFIX && nodeKeyLength >= PREFIX) {
      long nodePrefix = NodeLayout.keyPrefix(s, node);
      if (nodePrefix != keyPrefix) {
        return Long.compareUnsigned(keyPrefix, nodePrefix) < 0 ? -1 : 1;
      }
      // A tie: the keys' next words, as long as both have whole words left. A successful lookup
      // ends in a tie on every word, and short keys then need no bulk mismatch at all.
      long common = Math.min(keyLength, nodeKeyLength);
      long limit = Math.min(common, WORD_COMPARE_BYTES);
      for (from = PREFIX; from + PREFIX <= limit; from += PREFIX) {
        long a = key.get(BIG_ENDIAN_LONG, from);
        long b = s.get(BIG_ENDIAN_LONG, start + from);
        if (a != b) {
          return Long.compareUnsigned(a, b) < 0 ? -1 : 1;
        }
      }
      if (from == common) {
        return Long.compare(keyLength, nodeKeyLength);
      }
    }
    long i = MemorySegment.mismatch(key, from, keyLength, s, start + from, start + nodeKeyLength);
    if (i >= 0) {
      i += from;
    }
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
