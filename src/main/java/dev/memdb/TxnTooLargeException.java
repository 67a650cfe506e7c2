package dev.memdb;

/**
 * A write would take the buffer's data size over the buffer size limit; it was not applied.
 *
 * <p><b>Thread safety:</b> immutable once thrown; it may be passed to and read from any thread.
 */
public final class TxnTooLargeException extends MemDBException {
  private static final long serialVersionUID = 1L;

  /** The buffer size limit. */
  private final long limit;

  /** The data size the write would have produced. */
  private final long size;

  /**
   * Creates the exception.
   *
   * @param limit the buffer size limit
   * @param size the data size the write would have produced
   */
  public TxnTooLargeException(long limit, long size) {
    super(
        "write would take the data size to "
            + size
            + " bytes, over the buffer size limit of "
            + limit
            + " bytes");
    this.limit = limit;
    this.size = size;
  }

  /**
   * Returns the buffer size limit.
   *
   * @return bytes
   */
  public long limit() {
    return limit;
  }

  /**
   * Returns the data size the rejected write would have produced.
   *
   * @return bytes
   */
  public long size() {
    return size;
  }
}
