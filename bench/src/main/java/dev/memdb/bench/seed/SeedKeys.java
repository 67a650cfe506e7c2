package dev.memdb.bench.seed;

/**
 * The scenario's keys: 16 bytes, the first 8 a big-endian scramble of an index (a bijection, so
 * distinct indexes give distinct keys spread evenly over the key space), the rest zero. Prefilled
 * keys use indexes 0..keys-1; the writer's j-th new key uses index keys + j, so it lands between
 * existing keys and never collides with them.
 */
record SeedKeys(long keys) {
  static final int KEY_SIZE = 16;

  int keySize() {
    return KEY_SIZE;
  }

  void prefilledKey(byte[] key, long i) {
    put(key, i);
  }

  void writerKey(byte[] key, long j) {
    put(key, keys + j);
  }

  private static void put(byte[] key, long index) {
    long v = index * 0x9E3779B97F4A7C15L; // odd multiplier: a bijection on 64-bit values
    for (int b = 0; b < 8; b++) {
      key[b] = (byte) (v >>> (56 - 8 * b));
    }
  }
}
