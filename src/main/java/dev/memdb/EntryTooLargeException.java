package dev.memdb;

/**
 * Key length plus value length is over the entry size limit.
 *
 * <p><b>Thread safety:</b> immutable once thrown; it may be passed to and read from any thread.
 */
public final class EntryTooLargeException extends MemDBException {
  private static final long serialVersionUID = 1L;

  /** The entry size limit. */
  private final long limit;

  /** Key plus value length of the rejected entry. */
  private final long size;

  /**
   * Creates the exception.
   *
   * @param limit the entry size limit
   * @param size key length plus value length of the rejected entry
   */
  public EntryTooLargeException(long limit, long size) {
    super(
        "entry of "
            + size
            + " bytes (key + value) is over the entry size limit of "
            + limit
            + " bytes");
    this.limit = limit;
    this.size = size;
  }

  /**
   * Returns the entry size limit.
   *
   * @return bytes
   */
  public long limit() {
    return limit;
  }

  /**
   * Returns the rejected entry's size.
   *
   * @return key length plus value length
   */
  public long size() {
    return size;
  }
}
