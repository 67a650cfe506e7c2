package dev.memdb.bench.store;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** The Go benchmarks' key shapes (client-go {@code memdb_bench_test.go}). */
public final class Keys {
  /** keySize in the Go benchmarks. */
  public static final int KEY_SIZE = 16;

  /** valueSize in the Go benchmarks. */
  public static final int VALUE_SIZE = 128;

  private Keys() {}

  /** Writes {@code v} big-endian into bytes 0–3 (the Go sequential counter). */
  public static void putIntBE(byte[] b, int v) {
    b[0] = (byte) (v >>> 24);
    b[1] = (byte) (v >>> 16);
    b[2] = (byte) (v >>> 8);
    b[3] = (byte) v;
  }

  /** Writes {@code v} little-endian into bytes 0–3 (the Go random key, LargeIndex counter). */
  public static void putIntLE(byte[] b, int v) {
    b[0] = (byte) v;
    b[1] = (byte) (v >>> 8);
    b[2] = (byte) (v >>> 16);
    b[3] = (byte) (v >>> 24);
  }

  /** {@code n} random ints from a fixed seed (the same workload in every fork and impl). */
  public static int[] randomInts(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt();
    }
    return a;
  }

  /** A Go {@code encodeInt}: the 10-digit zero-padded decimal of {@code i}. */
  public static byte[] tenDigits(int i) {
    return String.format("%010d", i).getBytes(StandardCharsets.US_ASCII);
  }

  /** A value of {@code size} non-zero bytes. */
  public static byte[] value(int size) {
    byte[] v = new byte[size];
    for (int i = 0; i < size; i++) {
      v[i] = (byte) (i * 31 + 7);
    }
    return v;
  }
}
