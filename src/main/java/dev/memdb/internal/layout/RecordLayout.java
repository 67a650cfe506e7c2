package dev.memdb.internal.layout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The value-log record: the value's bytes, then a 16-byte header. A record's address is the address
 * just past its header, so records are read backwards from the tail and a record written after a
 * checkpoint has an address greater than the checkpoint's position.
 *
 * <pre>
 * [ value bytes (value_length) ][ struct memdb_value_header ]
 *                                                           ^ record address
 * struct memdb_value_header {  // 16 bytes, packed (unaligned), little-endian
 *   uint32_t value_length;     //  0  0 = tombstone
 *   int64_t  previous;         //  4  the key's previous record, or -1: the history chain
 *   int32_t  node;             // 12  the key's node (a node reference, see NodeLayout)
 * };
 * </pre>
 *
 * <p>Records are immutable once the node's value pointer names them, except for the in-place
 * overwrite of a same-length value, which the writer brackets with the node's version. Accesses are
 * plain, and so is the store of the value pointer: the release store of the node's even version
 * that closes the change window publishes pointer and record together.
 */
public final class RecordLayout {
  private static final ValueLayout.OfInt U32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** The header that follows the value bytes. */
  public static final StructLayout HEADER =
      MemoryLayout.structLayout(
              U32.withName("value_length"), I64.withName("previous"), I32.withName("node"))
          .withName("memdb_value_header");

  /** Header size: 16 bytes. */
  public static final long HEADER_SIZE = HEADER.byteSize();

  /** Offset of the value length inside the header. */
  public static final long VALUE_LENGTH_OFFSET = HEADER.byteOffset(groupElement("value_length"));

  /** Offset of the previous record's address inside the header. */
  public static final long PREVIOUS_OFFSET = HEADER.byteOffset(groupElement("previous"));

  /** Offset of the node address inside the header. */
  public static final long NODE_OFFSET = HEADER.byteOffset(groupElement("node"));

  private static final VarHandle VALUE_LENGTH = handle("value_length");
  private static final VarHandle PREVIOUS = handle("previous");
  private static final VarHandle NODE = handle("node");

  /** The value length read from a record header copied into a byte array, in the header's order. */
  private static final VarHandle COPIED_VALUE_LENGTH =
      MethodHandles.byteArrayViewVarHandle(int[].class, U32.order()).withInvokeExactBehavior();

  private RecordLayout() {}

  /**
   * Returns the bytes a record of a value of this length takes.
   *
   * @param valueLength value bytes
   * @return value plus header
   */
  public static long size(long valueLength) {
    return valueLength + HEADER_SIZE;
  }

  /** The value length of the record ending at {@code end}. */
  public static int valueLength(MemorySegment s, long end) {
    return (int) VALUE_LENGTH.get(s, end - HEADER_SIZE);
  }

  /**
   * The value length of a record whose bytes were copied into {@code copy}, its record address (the
   * end of its header) landing at {@code end}: reads the copy, not the block.
   */
  public static int valueLengthInCopy(byte[] copy, int end) {
    return (int) COPIED_VALUE_LENGTH.get(copy, end - (int) HEADER_SIZE + (int) VALUE_LENGTH_OFFSET);
  }

  /** The previous record of the same key, or -1. */
  public static long previous(MemorySegment s, long end) {
    return (long) PREVIOUS.get(s, end - HEADER_SIZE);
  }

  /** The node the record belongs to. */
  public static long node(MemorySegment s, long end) {
    return (int) NODE.get(s, end - HEADER_SIZE);
  }

  /** The offset of the first value byte of the record ending at {@code end}. */
  public static long valueOffset(long end, int valueLength) {
    return end - HEADER_SIZE - Integer.toUnsignedLong(valueLength);
  }

  /** Writer: writes the header of the record ending at {@code end}. */
  public static void writeHeader(
      MemorySegment s, long end, int valueLength, long previous, long node) {
    long h = end - HEADER_SIZE;
    VALUE_LENGTH.set(s, h, valueLength);
    PREVIOUS.set(s, h, previous);
    NODE.set(s, h, (int) node);
  }

  private static VarHandle handle(String name) {
    return HEADER.varHandle(groupElement(name)).withInvokeExactBehavior();
  }
}
