package dev.memdb;

/**
 * The per-key flags a transaction keeps beside a key, in their bit order (bit 0 to bit 13), as in
 * the TiKV client's key flags.
 *
 * <p>Persistent flags ({@link #isPersistent()}) survive the rollback of the key's first value: a
 * lock taken inside a statement that is rolled back is still held by the transaction.
 *
 * <p><b>Thread safety:</b> an enum of constants without state; safe from any thread.
 */
public enum KeyFlag {
  /** The key's existence check is deferred ("presume key not exists"). */
  PRESUME_KEY_NOT_EXISTS(false),
  /** A pessimistic lock on the key is held. */
  KEY_LOCKED(true),
  /** The key needs to be locked. */
  NEED_LOCKED(false),
  /** When the key was locked, its value existed. */
  KEY_LOCKED_VALUE_EXISTS(true),
  /** The key's existence must be checked when it is locked. */
  NEED_CHECK_EXISTS(false),
  /** The key is only sent in prewrite, not in commit. */
  PREWRITE_ONLY(false),
  /** The key is skipped by two-phase commit. */
  IGNORED_IN_2PC(false),
  /** Reads inside the transaction may see the key. */
  READABLE(false),
  /** The key was produced by an insert with a non-empty value. */
  NEWLY_INSERTED(false),
  /** Assertion: the key exists (both assertion bits set means "unknown"). */
  ASSERT_EXIST(false),
  /** Assertion: the key does not exist (both assertion bits set means "unknown"). */
  ASSERT_NOT_EXIST(false),
  /** The constraint check is postponed to prewrite; cleared by every value write. */
  NEED_CONSTRAINT_CHECK_IN_PREWRITE(true),
  /** A presume-not-exists from an earlier statement that must not be lost. */
  PREVIOUS_PRESUME_KEY_NOT_EXISTS(false),
  /** The lock is held in share mode (together with {@link #KEY_LOCKED}). */
  KEY_LOCKED_IN_SHARE_MODE(true);

  /** Bits of all persistent flags. */
  static final int PERSISTENT_MASK = persistentMask();

  /** Bits of all flags. */
  static final int ALL_MASK = (1 << values().length) - 1;

  private final boolean persistent;

  KeyFlag(boolean persistent) {
    this.persistent = persistent;
  }

  /**
   * Returns the flag's bit.
   *
   * @return {@code 1 << ordinal()}
   */
  public int mask() {
    return 1 << ordinal();
  }

  /**
   * Tells whether the flag survives the rollback of the key's first value.
   *
   * @return true for KEY_LOCKED, KEY_LOCKED_VALUE_EXISTS, NEED_CONSTRAINT_CHECK_IN_PREWRITE and
   *     KEY_LOCKED_IN_SHARE_MODE
   */
  public boolean isPersistent() {
    return persistent;
  }

  private static int persistentMask() {
    int mask = 0;
    for (KeyFlag f : values()) {
      if (f.persistent) {
        mask |= f.mask();
      }
    }
    return mask;
  }
}
