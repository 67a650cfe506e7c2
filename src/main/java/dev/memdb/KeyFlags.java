package dev.memdb;

/**
 * An immutable set of {@link KeyFlag}s. Instances are cached: {@link #of(int)} never allocates, and
 * two instances with the same bits are the same object.
 *
 * <p><b>Thread safety:</b> immutable and value-based (compare with {@code equals}, do not
 * synchronize on it); instances are shared by every thread and every buffer.
 */
public final class KeyFlags {
  private static final KeyFlags[] CACHE = new KeyFlags[KeyFlag.ALL_MASK + 1];

  static {
    for (int bits = 0; bits < CACHE.length; bits++) {
      CACHE[bits] = new KeyFlags(bits);
    }
  }

  /** The empty set of flags. */
  public static final KeyFlags NONE = CACHE[0];

  private final int bits;

  private KeyFlags(int bits) {
    this.bits = bits;
  }

  /**
   * Returns the cached instance for the given bits.
   *
   * @param bits flag bits, bit n standing for {@code KeyFlag.values()[n]}
   * @return the flags
   * @throws IllegalArgumentException if a bit above bit 13 is set
   */
  public static KeyFlags of(int bits) {
    if ((bits & ~KeyFlag.ALL_MASK) != 0) {
      throw new IllegalArgumentException(
          "key flag bits 0x"
              + Integer.toHexString(bits)
              + " outside 0x"
              + Integer.toHexString(KeyFlag.ALL_MASK));
    }
    return CACHE[bits];
  }

  /**
   * Returns the flag bits.
   *
   * @return bit n set when {@code KeyFlag.values()[n]} is in the set
   */
  public int bits() {
    return bits;
  }

  /**
   * Tells whether a flag is in the set.
   *
   * @param flag the flag
   * @return true if it is set
   */
  public boolean has(KeyFlag flag) {
    return (bits & flag.mask()) != 0;
  }

  /**
   * Tells whether the key is presumed not to exist, now or by an earlier statement.
   *
   * @return true if PRESUME_KEY_NOT_EXISTS or PREVIOUS_PRESUME_KEY_NOT_EXISTS is set
   */
  public boolean hasPresumeKeyNotExists() {
    return (bits
            & (KeyFlag.PRESUME_KEY_NOT_EXISTS.mask()
                | KeyFlag.PREVIOUS_PRESUME_KEY_NOT_EXISTS.mask()))
        != 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyFlags other && other.bits == bits;
  }

  @Override
  public int hashCode() {
    return bits;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("KeyFlags[");
    boolean first = true;
    for (KeyFlag f : KeyFlag.values()) {
      if (has(f)) {
        sb.append(first ? "" : ", ").append(f.name());
        first = false;
      }
    }
    return sb.append(']').toString();
  }
}
