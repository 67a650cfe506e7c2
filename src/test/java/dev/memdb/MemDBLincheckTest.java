package dev.memdb;

import dev.memdb.internal.arena.BlockAllocator;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of memdb's public API (issue 3), checked by Lincheck against the same class run
 * sequentially. Writers (set, delete, updateFlags, staging, release, cleanup) are in one
 * non-parallel group, as a transaction's statements are; readers (get, getFlags, keyCount,
 * dataSize, isDirty, a 3-key scan) run in parallel with them.
 *
 * <p><b>What each mode sees.</b> Stress mode runs the real off-heap MemDB on real threads. Model
 * checking inserts thread switches only before the shared accesses it instruments: heap fields,
 * arrays, heap VarHandles and atomics — so it interleaves memdb's protocol at its on-heap
 * publication points (the bulk epoch in {@code ReadGate}, the counters' sequence word, the tree's
 * root header, each arena's published block table, the write lock), while every off-heap {@code
 * MemorySegment} access (node links, versions, keys, values) is invisible to it and runs as if
 * atomic with its neighbours. The off-heap protocol is covered by stress mode, jcstress
 * (concurrency-tests/) and the stress test.
 *
 * <p>Budgets: {@code -Dmemdb.lincheck.scale=N} multiplies the default iterations (default 1).
 */
@Tag("lincheck")
@Param(name = "key", gen = IntGen.class, conf = "1:5")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class MemDBLincheckTest {
  private static final int SCALE = Integer.getInteger("memdb.lincheck.scale", 1);

  /** GC-managed blocks: Lincheck makes thousands of buffers and never closes them. */
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

  // Tiny blocks so that a few writes enlarge both arenas.
  private final MemDB db =
      MemDB.create(MemDBOptions.builder().initialBlockSize(64).maxBlockSize(1024).build(), AUTO);

  static byte[] key(int k) {
    return new byte[] {(byte) k};
  }

  /** Values of 1 to 3 ints: lengths differ, so some writes overwrite in place and some append. */
  static byte[] value(int k, int v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v);
    for (int i = 0; i < v; i++) {
      b.putInt(k * 100 + v);
    }
    return b.array();
  }

  static String show(byte[] v) {
    return v == null ? null : HexFormat.of().formatHex(v);
  }

  // ------------------------------------------------------------------ writers

  @Operation(nonParallelGroup = "writer")
  public void set(@Param(name = "key") int k, @Param(name = "value") int v) {
    db.set(key(k), value(k, v));
  }

  @Operation(nonParallelGroup = "writer")
  public void setLocked(@Param(name = "key") int k, @Param(name = "value") int v) {
    db.set(key(k), value(k, v), FlagsOp.SET_KEY_LOCKED);
  }

  @Operation(nonParallelGroup = "writer")
  public void delete(@Param(name = "key") int k) {
    db.delete(key(k));
  }

  @Operation(nonParallelGroup = "writer")
  public void lock(@Param(name = "key") int k) {
    db.updateFlags(key(k), FlagsOp.SET_KEY_LOCKED);
  }

  @Operation(nonParallelGroup = "writer")
  public void presumeNotExists(@Param(name = "key") int k) {
    db.updateFlags(key(k), FlagsOp.SET_PRESUME_KEY_NOT_EXISTS);
  }

  @Operation(nonParallelGroup = "writer")
  public int staging() {
    return db.staging();
  }

  @Operation(nonParallelGroup = "writer")
  public void releaseInnermost() {
    db.release(db.stagingDepth());
  }

  @Operation(nonParallelGroup = "writer")
  public void cleanupInnermost() {
    db.cleanup(db.stagingDepth());
  }

  // ------------------------------------------------------------------ readers

  @Operation
  public String get(@Param(name = "key") int k) {
    return show(db.get(key(k)));
  }

  @Operation
  public Integer getFlags(@Param(name = "key") int k) {
    KeyFlags f = db.getFlags(key(k));
    return f == null ? null : f.bits();
  }

  @Operation
  public long keyCount() {
    return db.keyCount();
  }

  @Operation
  public long dataSize() {
    return db.dataSize();
  }

  @Operation
  public boolean isDirty() {
    return db.isDirty();
  }

  /** The first three (key, value) pairs of an ascending iteration from {@code key}. */
  @Operation
  public List<String> scan(@Param(name = "key") int from) {
    List<String> out = new ArrayList<>();
    try (MemDBIterator it = db.iterator(key(from), null)) {
      for (int i = 0; i < 3 && it.valid(); i++, it.next()) {
        out.add(it.key()[0] + "=" + show(it.value()));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ runs

  @Test
  void stress() {
    new StressOptions()
        .iterations(15 * SCALE)
        .invocationsPerIteration(1_000)
        .threads(2)
        .actorsPerThread(4)
        .actorsBefore(3)
        .actorsAfter(2)
        .check(getClass());
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(10 * SCALE)
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(3)
        .actorsAfter(1)
        .check(getClass());
  }
}
