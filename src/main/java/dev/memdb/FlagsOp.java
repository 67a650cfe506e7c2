package dev.memdb;

/**
 * The operations a write applies to a key's flags, in the TiKV client's order. A write applies its
 * operations left to right.
 *
 * <p><b>Thread safety:</b> an enum of constants without state; {@link #apply(int)} is a pure
 * function, safe from any thread.
 */
public enum FlagsOp {
  /** Sets PRESUME_KEY_NOT_EXISTS and NEED_CHECK_EXISTS. */
  SET_PRESUME_KEY_NOT_EXISTS(bits(KeyFlag.PRESUME_KEY_NOT_EXISTS, KeyFlag.NEED_CHECK_EXISTS), 0),
  /** Clears PRESUME_KEY_NOT_EXISTS and NEED_CHECK_EXISTS. */
  DEL_PRESUME_KEY_NOT_EXISTS(0, bits(KeyFlag.PRESUME_KEY_NOT_EXISTS, KeyFlag.NEED_CHECK_EXISTS)),
  /** Sets KEY_LOCKED. */
  SET_KEY_LOCKED(bits(KeyFlag.KEY_LOCKED), 0),
  /** Clears KEY_LOCKED. */
  DEL_KEY_LOCKED(0, bits(KeyFlag.KEY_LOCKED)),
  /** Sets NEED_LOCKED. */
  SET_NEED_LOCKED(bits(KeyFlag.NEED_LOCKED), 0),
  /** Clears NEED_LOCKED. */
  DEL_NEED_LOCKED(0, bits(KeyFlag.NEED_LOCKED)),
  /** Sets KEY_LOCKED_VALUE_EXISTS and clears NEED_CONSTRAINT_CHECK_IN_PREWRITE. */
  SET_KEY_LOCKED_VALUE_EXISTS(
      bits(KeyFlag.KEY_LOCKED_VALUE_EXISTS), bits(KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE)),
  /** Clears KEY_LOCKED_VALUE_EXISTS and NEED_CONSTRAINT_CHECK_IN_PREWRITE. */
  SET_KEY_LOCKED_VALUE_NOT_EXISTS(
      0, bits(KeyFlag.KEY_LOCKED_VALUE_EXISTS, KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE)),
  /** Clears NEED_CHECK_EXISTS. */
  DEL_NEED_CHECK_EXISTS(0, bits(KeyFlag.NEED_CHECK_EXISTS)),
  /** Sets PREWRITE_ONLY. */
  SET_PREWRITE_ONLY(bits(KeyFlag.PREWRITE_ONLY), 0),
  /** Sets IGNORED_IN_2PC. */
  SET_IGNORED_IN_2PC(bits(KeyFlag.IGNORED_IN_2PC), 0),
  /** Sets READABLE. */
  SET_READABLE(bits(KeyFlag.READABLE), 0),
  /** Sets NEWLY_INSERTED. */
  SET_NEWLY_INSERTED(bits(KeyFlag.NEWLY_INSERTED), 0),
  /** Asserts the key exists: sets ASSERT_EXIST, clears ASSERT_NOT_EXIST. */
  SET_ASSERT_EXIST(bits(KeyFlag.ASSERT_EXIST), bits(KeyFlag.ASSERT_NOT_EXIST)),
  /** Asserts the key does not exist: sets ASSERT_NOT_EXIST, clears ASSERT_EXIST. */
  SET_ASSERT_NOT_EXIST(bits(KeyFlag.ASSERT_NOT_EXIST), bits(KeyFlag.ASSERT_EXIST)),
  /** Marks the assertion unknown: sets both assertion bits. */
  SET_ASSERT_UNKNOWN(bits(KeyFlag.ASSERT_EXIST, KeyFlag.ASSERT_NOT_EXIST), 0),
  /** Removes the assertion: clears both assertion bits. */
  SET_ASSERT_NONE(0, bits(KeyFlag.ASSERT_EXIST, KeyFlag.ASSERT_NOT_EXIST)),
  /** Sets NEED_CONSTRAINT_CHECK_IN_PREWRITE. */
  SET_NEED_CONSTRAINT_CHECK_IN_PREWRITE(bits(KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE), 0),
  /** Clears NEED_CONSTRAINT_CHECK_IN_PREWRITE. */
  DEL_NEED_CONSTRAINT_CHECK_IN_PREWRITE(0, bits(KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE)),
  /** Sets PREVIOUS_PRESUME_KEY_NOT_EXISTS. */
  SET_PREVIOUS_PRESUME_KEY_NOT_EXISTS(bits(KeyFlag.PREVIOUS_PRESUME_KEY_NOT_EXISTS), 0),
  /** Sets KEY_LOCKED_IN_SHARE_MODE. */
  SET_KEY_LOCKED_IN_SHARE_MODE(bits(KeyFlag.KEY_LOCKED_IN_SHARE_MODE), 0),
  /** Clears KEY_LOCKED_IN_SHARE_MODE (the lock is exclusive). */
  SET_KEY_LOCKED_IN_EXCLUSIVE_MODE(0, bits(KeyFlag.KEY_LOCKED_IN_SHARE_MODE));

  private final int set;
  private final int clear;

  FlagsOp(int set, int clear) {
    this.set = set;
    this.clear = clear;
  }

  /**
   * Applies the operation to flag bits.
   *
   * @param bits the flag bits before
   * @return the flag bits after
   */
  public int apply(int bits) {
    return (bits & ~clear) | set;
  }

  private static int bits(KeyFlag... flags) {
    int b = 0;
    for (KeyFlag f : flags) {
      b |= f.mask();
    }
    return b;
  }
}
