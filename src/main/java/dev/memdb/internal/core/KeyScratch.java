package dev.memdb.internal.core;

import java.lang.foreign.MemorySegment;

/**
 * A per-thread copy of a caller's {@code byte[]} key as a segment. Reads compare keys as segments
 * ({@link MemorySegment#mismatch}); wrapping each caller's array with {@link
 * MemorySegment#ofArray(byte[])} would allocate a segment and its scope on every read, which escape
 * analysis does not remove on this path. The copy costs a few nanoseconds for typical keys.
 */
final class KeyScratch {
  private static final ThreadLocal<KeyScratch> PER_THREAD =
      ThreadLocal.withInitial(KeyScratch::new);

  private byte[] bytes = new byte[64];
  private MemorySegment segment = MemorySegment.ofArray(bytes);

  private KeyScratch() {}

  /**
   * Copies a key into this thread's scratch.
   *
   * @param key the caller's key
   * @return a segment whose first {@code key.length} bytes are the key (it may be longer)
   */
  static MemorySegment of(byte[] key) {
    KeyScratch k = PER_THREAD.get();
    if (k.bytes.length < key.length) {
      k.bytes = new byte[Math.max(key.length, k.bytes.length * 2)];
      k.segment = MemorySegment.ofArray(k.bytes);
    }
    System.arraycopy(key, 0, k.bytes, 0, key.length);
    return k.segment;
  }
}
