package dev.memdb;

/**
 * The base of memdb's own exceptions. A call that throws one leaves the buffer as it was, except
 * {@link FootprintListenerException}, which reports a listener's failure after the operation was
 * applied.
 *
 * <p><b>Thread safety:</b> memdb's exceptions are immutable once thrown and may be passed between
 * threads.
 */
public class MemDBException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, with the numbers involved
   */
  public MemDBException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, with the numbers involved
   * @param cause the exception that caused it
   */
  protected MemDBException(String message, Throwable cause) {
    super(message, cause);
  }
}
