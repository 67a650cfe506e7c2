package dev.memdb;

/**
 * A key is longer than {@value #MAX_KEY_LENGTH} bytes.
 *
 * <p><b>Thread safety:</b> immutable once thrown; it may be passed to and read from any thread.
 */
public final class KeyTooLargeException extends MemDBException {
  private static final long serialVersionUID = 1L;

  /** The longest key memdb stores (its length is kept in 16 bits). */
  public static final int MAX_KEY_LENGTH = 65_535;

  /** The rejected key's length. */
  private final int keySize;

  /**
   * Creates the exception.
   *
   * @param keySize the rejected key's length
   */
  public KeyTooLargeException(int keySize) {
    super(
        "key of " + keySize + " bytes is longer than the maximum of " + MAX_KEY_LENGTH + " bytes");
    this.keySize = keySize;
  }

  /**
   * Returns the rejected key's length.
   *
   * @return bytes
   */
  public int keySize() {
    return keySize;
  }
}
