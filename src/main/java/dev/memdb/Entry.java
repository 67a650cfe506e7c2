package dev.memdb;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * One key of a range with its value and flags, as {@link MemDB#entries(byte[], byte[])} and {@link
 * Snapshot#entries(byte[], byte[])} stream them. Entries compare, hash and print by the arrays'
 * contents.
 *
 * <p>The arrays are the entry's own copies, taken from the buffer at one moment of the iteration;
 * the accessors return them without copying again, so a caller that changes them changes the entry.
 *
 * <p><b>Thread safety:</b> immutable as long as nobody changes its arrays; safe to share between
 * threads once published.
 *
 * @param key the key
 * @param value the value; {@code byte[0]} for a tombstone
 * @param flags the key's flags
 */
public record Entry(byte[] key, byte[] value, KeyFlags flags) {
  /** Orders entries by key, unsigned lexicographically: the order of the buffer. */
  public static final Comparator<Entry> KEY_ORDER = (a, b) -> Arrays.compareUnsigned(a.key, b.key);

  /**
   * Creates an entry.
   *
   * @throws NullPointerException if an argument is null
   */
  public Entry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(flags, "flags");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e
        && Arrays.equals(key, e.key)
        && Arrays.equals(value, e.value)
        && flags.equals(e.flags);
  }

  @Override
  public int hashCode() {
    return (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) * 31 + flags.hashCode();
  }

  @Override
  public String toString() {
    return "Entry[key="
        + java.util.HexFormat.of().formatHex(key)
        + ", value="
        + java.util.HexFormat.of().formatHex(value)
        + ", flags="
        + flags
        + "]";
  }
}
