package dev.memdb;

/**
 * A {@link Snapshot} was used after it became invalid: the outermost stage it was taken in ended,
 * or the buffer was reset, reverted below it, had its values discarded, or was closed.
 *
 * <p><b>Thread safety:</b> immutable once thrown; it may be passed to and read from any thread.
 */
public final class StaleSnapshotException extends MemDBException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the snapshot is no longer valid
   */
  public StaleSnapshotException(String message) {
    super(message);
  }
}
