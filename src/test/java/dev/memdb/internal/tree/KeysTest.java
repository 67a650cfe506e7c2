package dev.memdb.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Keys#compare} orders keys exactly as {@link Arrays#compareUnsigned(byte[], byte[])} across
 * its three paths: the first word, the following words, and the bulk mismatch for the rest.
 */
class KeysTest {

  @Test
  void sameOrderAsArraysCompareUnsigned() {
    Random random = new Random(11);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment block = arena.allocate(NodeLayout.size(64), NodeLayout.ALIGNMENT);
      MemorySegment search = arena.allocate(64);
      for (int round = 0; round < 200_000; round++) {
        byte[] a = randomKey(random);
        byte[] b = random.nextInt(4) == 0 ? a.clone() : mutate(a, random);
        MemorySegment.copy(a, 0, search, ValueLayout.JAVA_BYTE, 0, a.length);
        MemorySegment.copy(b, 0, block, ValueLayout.JAVA_BYTE, NodeLayout.keyAt(0), b.length);
        int expected = Integer.signum(Arrays.compareUnsigned(a, b));
        int actual =
            Integer.signum(
                Keys.compare(search, a.length, Keys.prefix(search, a.length), block, 0, b.length));
        assertEquals(expected, actual, () -> Arrays.toString(a) + " vs " + Arrays.toString(b));
      }
    }
  }

  /** Lengths around the word boundaries, over a small alphabet so that ties are common. */
  private static byte[] randomKey(Random random) {
    byte[] k = new byte[random.nextInt(42)];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (random.nextInt(3) == 0 ? 0xFF : random.nextInt(2));
    }
    return k;
  }

  /** A key sharing a prefix with {@code a}: one byte changed, or the length changed. */
  private static byte[] mutate(byte[] a, Random random) {
    byte[] b = Arrays.copyOf(a, Math.max(0, a.length + random.nextInt(11) - 5));
    if (b.length > 0 && random.nextBoolean()) {
      b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return b;
  }
}
