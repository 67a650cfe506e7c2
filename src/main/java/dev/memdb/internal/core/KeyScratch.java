package dev.memdb.internal.core;

import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch of the read path: a copy of a caller's {@code byte[]} key as a segment, and
 * the array a copying read hands back.
 *
 * <p>Reads compare keys as segments ({@link MemorySegment#mismatch}); wrapping each caller's array
 * with {@link MemorySegment#ofArray(byte[])} would allocate a segment and its scope on every read,
 * which escape analysis does not remove on this path. The copy costs a few nanoseconds for typical
 * keys. The result slot lets one read core serve both the copying and the allocation-free reads
 * without a result object per call.
 */
final class KeyScratch {
  private static final ThreadLocal<KeyScratch> PER_THREAD =
      ThreadLocal.withInitial(KeyScratch::new);

  private byte[] bytes = new byte[64];
  private MemorySegment segment = MemorySegment.ofArray(bytes);
  private byte[] result;

  private KeyScratch() {}

  /** Returns this thread's scratch. */
  static KeyScratch current() {
    return PER_THREAD.get();
  }

  /**
   * Copies a key into this thread's scratch.
   *
   * @param key the caller's key
   * @return a segment whose first {@code key.length} bytes are the key (it may be longer)
   */
  static MemorySegment of(byte[] key) {
    return current().load(key);
  }

  /** Copies a key into this scratch; see {@link #of(byte[])}. */
  MemorySegment load(byte[] key) {
    if (bytes.length < key.length) {
      bytes = new byte[Math.max(key.length, bytes.length * 2)];
      segment = MemorySegment.ofArray(bytes);
    }
    System.arraycopy(key, 0, bytes, 0, key.length);
    return segment;
  }

  /** Read core: hands over a value array it allocated. */
  void setResult(byte[] value) {
    result = value;
  }

  /** Takes the array the last copying read handed over, and forgets it. */
  byte[] takeResult() {
    byte[] r = result;
    result = null;
    return r;
  }
}
