package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A range scanned while a writer changes the nodes in it and moves the node block: every key
 * present throughout must come out, once, in order.
 *
 * <p>It targets the pass that loses all its entries to a change: the keys of adjacent nodes are
 * copied as runs, and a run too long for a new iterator's arrays is validated before it sizes them;
 * when that validation failed on the pass's first run, the pass kept no entry, and it was taken for
 * the end of the range whenever the batch's stale first entry (a key an earlier attempt of the pass
 * had copied) passed the order check (the stress profile's "missed keys" anomaly; the jcstress test
 * {@code IteratorEmptiedPass} makes the stale entry on purpose). So each scan here starts with
 * fresh read-ahead arrays, and the keys are long enough for the first runs to outgrow them. On the
 * code with that bug, 3 s caught 8 to 28 short scans in each of five runs. Duration: {@code
 * -Dmemdb.iteratorUnderWrites.millis=N} (default 3000).
 */
class IteratorUnderWritesTest {
  private static final int KEYS = 24;

  /**
   * Keys of 613 bytes, inserted in key order, so their nodes lie one after the other and the first
   * runs of every scan outgrow a new iterator's arrays.
   */
  private static byte[] key(int i) {
    return String.format("range-%06d-%0600d", i, 0).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] value(int i, int version) {
    return String.format("%06d:%06d", i, version % 1_000_000).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void scansReturnEveryKeyPresentThroughout() throws Exception {
    long millis = Long.getLong("memdb.iteratorUnderWrites.millis", 3000);
    try (MemDB db = MemDB.create(MemDBOptions.builder().initialBlockSize(4096).build())) {
      for (int i = 0; i < KEYS; i++) {
        db.set(key(i), value(i, 0));
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> error = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                try {
                  ThreadLocalRandom r = ThreadLocalRandom.current();
                  byte[][] keys = new byte[KEYS][];
                  byte[][] values = new byte[KEYS][];
                  for (int i = 0; i < KEYS; i++) {
                    keys[i] = key(i);
                    values[i] = value(i, 1);
                  }
                  byte[] outside = new byte[16];
                  long n = 0;
                  while (!stop.get()) {
                    int i = r.nextInt(KEYS);
                    int x = r.nextInt(16);
                    if (x < 8) {
                      db.updateFlags(keys[i], FlagsOp.SET_KEY_LOCKED); // a flag write: new version
                    } else if (x < 15) {
                      db.set(keys[i], values[i]); // same length: rewritten in place
                    } else {
                      // A key after the range: the node block fills and moves.
                      outside[0] = 'z';
                      ByteBuffer.wrap(outside, 1, 8).putLong(n++);
                      db.set(outside, values[i]);
                    }
                  }
                } catch (Throwable t) {
                  error.set(t);
                }
              });
      writer.start();
      long scans = 0;
      long deadline = System.nanoTime() + millis * 1_000_000L;
      try {
        while (System.nanoTime() < deadline && error.get() == null) {
          scanOnce(db);
          scans++;
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      assertNull(error.get(), "writer failed");
      assertTrue(scans > 0);
    }
  }

  /** One ascending scan of the whole range, on read-ahead arrays of a new iterator's size. */
  private static void scanOnce(MemDB db) {
    // The first iterator takes the buffer's cached read-ahead arrays; the second gets new ones.
    try (MemDBIterator holder = db.iterator(key(0), key(1));
        MemDBIterator it = db.iterator(key(0), key(KEYS))) {
      int expected = 0;
      for (; it.valid(); it.next()) {
        byte[] k = it.key();
        assertTrue(Arrays.equals(key(expected), k), () -> "expected key " + new String(k));
        byte[] v = it.value();
        assertEquals(
            String.format("%06d", expected),
            new String(v, 0, 6, StandardCharsets.US_ASCII),
            "value of key " + expected);
        expected++;
      }
      assertEquals(KEYS, expected, "keys returned by one scan");
      assertTrue(holder.valid());
    }
  }
}
