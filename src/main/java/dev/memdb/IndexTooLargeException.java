package dev.memdb;

/**
 * Thrown by a write that would need more room for the buffer's index — its tree nodes and keys,
 * which live in one off-heap block — than that block can address ({@value #MAX_INDEX_BYTES} bytes;
 * about 300 million keys of 16 bytes). The write is not applied: the buffer is exactly as it was.
 *
 * <p><b>Thread safety.</b> An ordinary immutable exception.
 */
public class IndexTooLargeException extends MemDBException {
  private static final long serialVersionUID = 1L;

  /** The most bytes the index block can grow to: 2^31 node references of 8 bytes. */
  public static final long MAX_INDEX_BYTES = 1L << 34;

  /** The block size the index may not grow past, in bytes. */
  private final long limit;

  /** The block size the refused write would have needed, in bytes. */
  private final long requested;

  /**
   * Creates the exception.
   *
   * @param limit the index block's limit in bytes
   * @param requested the bytes the write needed
   */
  public IndexTooLargeException(long limit, long requested) {
    super(
        "memdb: the index (tree nodes and keys) would need "
            + requested
            + " bytes, over its limit of "
            + limit
            + " bytes; the write was not applied");
    this.limit = limit;
    this.requested = requested;
  }

  /**
   * Returns the limit.
   *
   * @return bytes
   */
  public long limit() {
    return limit;
  }

  /**
   * Returns what the write needed.
   *
   * @return bytes
   */
  public long requested() {
    return requested;
  }
}
