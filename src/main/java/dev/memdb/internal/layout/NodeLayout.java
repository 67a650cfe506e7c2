package dev.memdb.internal.layout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The red-black tree node, as it lies in the node arena, and its accessors.
 *
 * <pre>
 * struct memdb_node {          // 40 bytes + key, 8-byte aligned, native byte order
 *   int32_t  version;          //  0  even: stable; odd: the writer is changing this node
 *   uint16_t key_length;       //  4  immutable once linked
 *   uint16_t flags;            //  6  bit 15 red, bit 14 deleted, bits 0-13 key flags
 *   int64_t  parent;           //  8  node address or -1
 *   int64_t  left;             // 16  node address or -1
 *   int64_t  right;            // 24  node address or -1
 *   int64_t  value;            // 32  newest value-log record address, or -1 (no value)
 *   uint8_t  key[key_length];  // 40  immutable once linked
 * };
 *
 *  0       4     6     8              16             24             32             40
 *  +-------+-----+-----+--------------+--------------+--------------+--------------+-----------
 *  |version|klen |flags|    parent    |     left     |    right     |    value     | key ...
 *  +-------+-----+-----+--------------+--------------+--------------+--------------+-----------
 * </pre>
 *
 * <p><b>Barriers.</b> Accessor names say their ordering. Only the version carries barriers: {@code
 * setVersionRelease} (the end of a change) pairs with {@code versionAcquire} / {@code
 * headerAcquire} (a reader opening a window). Every other field — links, value pointer, flags — is
 * written plainly, either before the node is linked or inside the node's change window, so the
 * release that closes the window (the parent's, for a new node) publishes it together with the node
 * or record it points to; readers read those fields plainly inside a window they opened with an
 * acquiring read and validate it after. The version and the 8-byte fields are naturally aligned,
 * which acquire/release accesses need.
 */
public final class NodeLayout {
  /** The node header, without the key bytes. */
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              ValueLayout.JAVA_INT.withName("version"),
              ValueLayout.JAVA_SHORT.withName("key_length"),
              ValueLayout.JAVA_SHORT.withName("flags"),
              ValueLayout.JAVA_LONG.withName("parent"),
              ValueLayout.JAVA_LONG.withName("left"),
              ValueLayout.JAVA_LONG.withName("right"),
              ValueLayout.JAVA_LONG.withName("value"))
          .withName("memdb_node");

  /** Offset of the version word. */
  public static final long VERSION_OFFSET = offset("version");

  /** Offset of the key length. */
  public static final long KEY_LENGTH_OFFSET = offset("key_length");

  /** Offset of the flags word. */
  public static final long FLAGS_OFFSET = offset("flags");

  /** Offset of the parent address. */
  public static final long PARENT_OFFSET = offset("parent");

  /** Offset of the left child address. */
  public static final long LEFT_OFFSET = offset("left");

  /** Offset of the right child address. */
  public static final long RIGHT_OFFSET = offset("right");

  /** Offset of the value record address. */
  public static final long VALUE_OFFSET = offset("value");

  /** Offset of the first key byte: the header's size. */
  public static final long KEY_OFFSET = LAYOUT.byteSize();

  /** Alignment of every node. */
  public static final long ALIGNMENT = LAYOUT.byteAlignment();

  /** Flags bit: the node is red (clear: black). */
  public static final int RED_BIT = 1 << 15;

  /** Flags bit: the key was rolled back; the node stays linked and is revived by a later write. */
  public static final int DELETED_BIT = 1 << 14;

  /** Flags bits that hold the key's {@code KeyFlags}. */
  public static final int KEY_FLAGS_MASK = (1 << 14) - 1;

  /**
   * The node header again with every member's alignment relaxed to one byte, for plain accesses.
   * Nodes are 8-byte aligned anyway; an aligned handle would check the address's alignment on every
   * access, which was 7-9 % of a tree walk's profile. Acquire and release accesses need the aligned
   * handles of {@link #LAYOUT}.
   */
  private static final StructLayout PLAIN_LAYOUT =
      MemoryLayout.structLayout(
              LAYOUT.memberLayouts().stream()
                  .map(m -> m.withByteAlignment(1))
                  .toArray(MemoryLayout[]::new))
          .withName("memdb_node_plain");

  /** The first 8 key bytes as one big-endian number: unsigned order equals key order. */
  private static final VarHandle KEY_PREFIX =
      ValueLayout.JAVA_LONG_UNALIGNED
          .withOrder(java.nio.ByteOrder.BIG_ENDIAN)
          .varHandle()
          .withInvokeExactBehavior();

  /**
   * The first 8 bytes — version, key length, flags — as one aligned word in native order. A reader
   * descending the tree loads this one word per node instead of the three fields: key length and
   * flags only change inside a version change, so two equal words mean an unchanged node.
   */
  private static final VarHandle HEADER_WORD =
      ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

  private static final boolean LITTLE_ENDIAN =
      java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
  private static final int VERSION_SHIFT = LITTLE_ENDIAN ? 0 : 32;
  private static final int KEY_LENGTH_SHIFT = LITTLE_ENDIAN ? 32 : 16;
  private static final int FLAGS_SHIFT = LITTLE_ENDIAN ? 48 : 0;

  /**
   * A plain 64-bit word at an offset computed by the caller: a link (left or right), or the header
   * word re-read to validate.
   */
  private static final VarHandle WORD_AT =
      ValueLayout.JAVA_LONG_UNALIGNED.varHandle().withInvokeExactBehavior();

  /** The version with barriers (acquire, release, opaque). */
  private static final VarHandle VERSION = handle(LAYOUT, "version");

  private static final VarHandle VERSION_PLAIN = handle(PLAIN_LAYOUT, "version");
  private static final VarHandle KEY_LENGTH = handle(PLAIN_LAYOUT, "key_length");
  private static final VarHandle FLAGS = handle(PLAIN_LAYOUT, "flags");
  private static final VarHandle PARENT = handle(PLAIN_LAYOUT, "parent");
  private static final VarHandle LEFT = handle(PLAIN_LAYOUT, "left");
  private static final VarHandle RIGHT = handle(PLAIN_LAYOUT, "right");
  private static final VarHandle VALUE = handle(PLAIN_LAYOUT, "value");

  private NodeLayout() {}

  /**
   * Returns the bytes a node with a key of this length takes.
   *
   * @param keyLength key length
   * @return header plus key
   */
  public static long size(int keyLength) {
    return KEY_OFFSET + keyLength;
  }

  // ---- version: even = stable, odd = being changed ----

  /** Reader: the version, before reading the fields it guards. */
  public static int versionAcquire(MemorySegment s, long node) {
    return (int) VERSION.getAcquire(s, at(node));
  }

  /** Reader (after a load-load fence) and writer: the version. */
  public static int versionPlain(MemorySegment s, long node) {
    return (int) VERSION_PLAIN.get(s, at(node));
  }

  /** Writer: marks the start of a change (odd); follow with a store-store fence. */
  public static void setVersionOpaque(MemorySegment s, long node, int version) {
    VERSION.setOpaque(s, at(node), version);
  }

  /** Writer: marks the end of a change (even); publishes every store before it. */
  public static void setVersionRelease(MemorySegment s, long node, int version) {
    VERSION.setRelease(s, at(node), version);
  }

  // ---- the header word: version, key length and flags at once ----

  /**
   * Reader: the header word, before reading what it guards (pairs with {@link #setVersionRelease}).
   */
  public static long headerAcquire(MemorySegment s, long node) {
    return (long) HEADER_WORD.getAcquire(s, at(node));
  }

  /** Reader (after a load-load fence): the header word again, to validate. */
  public static long headerPlain(MemorySegment s, long node) {
    return (long) WORD_AT.get(s, at(node));
  }

  /** The version in a header word. */
  public static int versionOf(long headerWord) {
    return (int) (headerWord >>> VERSION_SHIFT);
  }

  /** The flags word in a header word. */
  public static int flagsOf(long headerWord) {
    return (int) (headerWord >>> FLAGS_SHIFT) & 0xFFFF;
  }

  /** The key length in a header word. */
  public static int keyLengthOf(long headerWord) {
    return (int) (headerWord >>> KEY_LENGTH_SHIFT) & 0xFFFF;
  }

  // ---- immutable once linked ----

  /** The key length; immutable once the node is linked, so a plain read is enough. */
  public static int keyLength(MemorySegment s, long node) {
    return Short.toUnsignedInt((short) KEY_LENGTH.get(s, at(node)));
  }

  /**
   * The first 8 key bytes, big-endian; immutable once linked. The key starts 8-byte aligned (at
   * {@link #KEY_OFFSET} of an aligned node). REQUIRES: the key is at least 8 bytes long.
   */
  public static long keyPrefix(MemorySegment s, long node) {
    return (long) KEY_PREFIX.get(s, keyAt(node));
  }

  /** Writer, before linking: sets the key length. */
  public static void setKeyLength(MemorySegment s, long node, int length) {
    KEY_LENGTH.set(s, at(node), (short) length);
  }

  // ---- flags: colour, deleted mark, key flags ----

  /** The flags word; readers only inside a validated window. */
  public static int flagsPlain(MemorySegment s, long node) {
    return Short.toUnsignedInt((short) FLAGS.get(s, at(node)));
  }

  /** Writer, inside a change window or before linking: sets the flags word. */
  public static void setFlagsPlain(MemorySegment s, long node, int flags) {
    FLAGS.set(s, at(node), (short) flags);
  }

  // ---- links ----

  /** Writer: the parent. */
  public static long parentPlain(MemorySegment s, long node) {
    return (long) PARENT.get(s, at(node));
  }

  /** Writer, before linking or inside the node's change window: sets the parent. */
  public static void setParentPlain(MemorySegment s, long node, long parent) {
    PARENT.set(s, at(node), parent);
  }

  /** Writer: the left child. */
  public static long leftPlain(MemorySegment s, long node) {
    return (long) LEFT.get(s, at(node));
  }

  /** Writer, before linking or inside the node's change window: sets the left child. */
  public static void setLeftPlain(MemorySegment s, long node, long child) {
    LEFT.set(s, at(node), child);
  }

  /** Writer: the right child. */
  public static long rightPlain(MemorySegment s, long node) {
    return (long) RIGHT.get(s, at(node));
  }

  /** Writer, before linking or inside the node's change window: sets the right child. */
  public static void setRightPlain(MemorySegment s, long node, long child) {
    RIGHT.set(s, at(node), child);
  }

  /**
   * Reader, inside a node's version window opened by an acquiring read of its header: the child on
   * one side. Every link is written inside the node's change window, so the acquire that saw the
   * window closed also made the link and the linked node's contents visible.
   */
  public static long childPlain(MemorySegment s, long node, boolean right) {
    // One access at a computed offset rather than a branch between two handles.
    return (long) WORD_AT.get(s, at(node) + (right ? RIGHT_OFFSET : LEFT_OFFSET));
  }

  // ---- value pointer ----

  /** Writer, and readers inside the node's version window: the newest value record. */
  public static long valuePlain(MemorySegment s, long node) {
    return (long) VALUE.get(s, at(node));
  }

  /** Writer, before linking or inside the node's change window: points the node at a record. */
  public static void setValuePlain(MemorySegment s, long node, long record) {
    VALUE.set(s, at(node), record);
  }

  /**
   * Returns the in-block offset of a node address: accessors take whole addresses (block index in
   * the high half) and address the block segment by the low half.
   *
   * @param node a node address
   * @return its offset in its block
   */
  public static long at(long node) {
    return node & 0xFFFF_FFFFL;
  }

  /**
   * Returns the in-block offset of a node's first key byte.
   *
   * @param node a node address
   * @return the offset of {@code key[0]}
   */
  public static long keyAt(long node) {
    return at(node) + KEY_OFFSET;
  }

  private static long offset(String name) {
    return LAYOUT.byteOffset(groupElement(name));
  }

  private static VarHandle handle(StructLayout layout, String name) {
    return layout.varHandle(groupElement(name)).withInvokeExactBehavior();
  }
}
