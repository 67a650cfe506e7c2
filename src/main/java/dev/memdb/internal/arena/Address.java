package dev.memdb.internal.arena;

/**
 * Arena addresses: one {@code long} holding a block index in the high 32 bits and a byte offset in
 * that block in the low 32 bits. {@link #NULL} (all ones) is no address.
 *
 * <p>Addresses of one arena increase with allocation order (a later allocation has a larger
 * address), which is what lets the value log compare a record's address with a checkpoint.
 */
public final class Address {
  /** No address. */
  public static final long NULL = -1L;

  private static final long OFFSET_MASK = 0xFFFF_FFFFL;

  private Address() {}

  /**
   * Packs a block index and an offset.
   *
   * @param block block index, {@code >= 0}
   * @param offset byte offset inside the block, {@code >= 0} and below 2^32
   * @return the address
   */
  public static long of(int block, long offset) {
    return ((long) block << 32) | offset;
  }

  /**
   * Returns the block index of an address.
   *
   * @param address a non-null address
   * @return the block index
   */
  public static int block(long address) {
    return (int) (address >>> 32);
  }

  /**
   * Returns the offset inside its block of an address.
   *
   * @param address a non-null address
   * @return the byte offset
   */
  public static long offset(long address) {
    return address & OFFSET_MASK;
  }

  /**
   * Formats an address for messages.
   *
   * @param address an address
   * @return {@code "null"} or {@code "block:offset"}
   */
  public static String toString(long address) {
    return address == NULL ? "null" : block(address) + ":" + offset(address);
  }
}
