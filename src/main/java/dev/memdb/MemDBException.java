package dev.memdb;

/** The base of memdb's own exceptions. A call that throws one leaves the buffer as it was. */
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
}
