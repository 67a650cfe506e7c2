package dev.memdb.jcstress;

import dev.memdb.MemDB;
import dev.memdb.MemDBIterator;
import dev.memdb.MemDBOptions;
import dev.memdb.MemDBStats;
import dev.memdb.internal.arena.BlockAllocator;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.BiFunction;

/** Keys, values and buffers shared by memdb's jcstress tests. */
final class TestSupport {
  private TestSupport() {}

  /** Smallest blocks memdb allows, so a handful of writes enlarges an arena. */
  static final MemDBOptions TINY =
      MemDBOptions.builder().initialBlockSize(MemDBOptions.MIN_BLOCK_SIZE).maxBlockSize(1 << 20).build();

  /**
   * Blocks from automatic arenas: the GC frees them, so millions of jcstress samples neither leak
   * nor pay a shared-arena close (a thread handshake) each.
   */
  static final BlockAllocator AUTO =
      new BlockAllocator() {
        @Override
        public Block allocate(long bytes) {
          Arena a = Arena.ofAuto();
          return new Block(a.allocate(bytes, BLOCK_ALIGNMENT), a);
        }

        @Override
        public void free(Block block) {}
      };

  /** A 4-byte big-endian key. */
  static byte[] key(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  /** The one value ever written for key {@code i}: {@code length} bytes, all {@code (byte) i}. */
  static byte[] value(int i, int length) {
    byte[] v = new byte[length];
    Arrays.fill(v, (byte) i);
    return v;
  }

  /** 1 if {@code got} is exactly {@code want}, 0 if null, -1 for anything else (torn or wrong). */
  static int classify(byte[] got, byte[] want) {
    if (got == null) {
      return 0;
    }
    return Arrays.equals(got, want) ? 1 : -1;
  }

  /** A buffer holding keys 0..n-1, each with an 8-byte value. */
  static MemDB prefilled(int n) {
    MemDB db = MemDB.create(TINY);
    for (int i = 0; i < n; i++) {
      db.set(key(i), value(i, 8));
    }
    return db;
  }

  /**
   * The smallest n >= min such that, after keys 0..n-1 with 8-byte values, setting key n with a
   * {@code valueLength}-byte value allocates a new block in both arenas: the node arena moves to a
   * block twice as large (its one block grows), the value log adds a block.
   */
  static int prefillBeforeBothArenasGrow(int min, int valueLength) {
    for (int n = min; n < 10_000; n++) {
      try (MemDB db = prefilled(n)) {
        MemDBStats before = db.stats();
        db.set(key(n), value(n, valueLength));
        MemDBStats after = db.stats();
        if (after.nodes().bytesAllocated() > before.nodes().bytesAllocated()
            && after.values().blocks() > before.values().blocks()) {
          return n;
        }
      }
    }
    throw new AssertionError("no prefill makes both arenas grow on the next insert");
  }

  /**
   * Every key an iterator yields, as its int, separated by spaces, each followed by what {@code
   * mark} says of its value ({@code ""} for the expected one); {@code ?} for a key that is not 4
   * bytes long; {@code exception X} if a call threw. The iterator is closed.
   */
  static String walk(MemDBIterator it, BiFunction<Integer, byte[], String> mark) {
    return walk(it, 4, mark);
  }

  /** {@link #walk(MemDBIterator, BiFunction)} over keys of {@code keyLength} bytes. */
  static String walk(MemDBIterator it, int keyLength, BiFunction<Integer, byte[], String> mark) {
    StringBuilder sb = new StringBuilder();
    try (it) {
      while (it.valid()) {
        byte[] k = it.key();
        if (sb.length() > 0) {
          sb.append(' ');
        }
        if (k.length != keyLength) {
          sb.append('?');
        } else {
          int i = ByteBuffer.wrap(k).getInt();
          sb.append(i).append(mark.apply(i, it.value()));
        }
        it.next();
      }
    } catch (RuntimeException e) {
      return "exception " + e.getClass().getSimpleName();
    }
    return sb.toString();
  }
}
