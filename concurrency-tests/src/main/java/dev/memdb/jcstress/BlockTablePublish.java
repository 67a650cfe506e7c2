package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.memdb.internal.arena.ArenaListener;
import dev.memdb.internal.arena.ArenaUsage;
import dev.memdb.internal.arena.MultiBlockArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * (a) Publication of an enlarged block table, on the real {@link MultiBlockArena}, the block-list
 * arena the value log uses (the node arena moves instead: {@link NodeArenaMoveGet}). The arena's first
 * block is full; the writer allocates, which enlarges the arena (a new block and a new table
 * published with a release store), writes a payload at the new address off-heap, then publishes
 * the address with a release store (as a node publishes its value record). The reader loads the
 * table first and the address second, so it can hold the OLD table and the NEW address: {@link
 * MultiBlockArena#segment} must then load the table again. r1: blocks in the reader's first table (-1
 * if the table was torn: a hole or no block); r2: 0 = address not yet published, 1 = resolved and
 * payload complete, -1 = payload torn, -2 = the address did not resolve; r3: blocks in a table
 * acquired AFTER the address (once the address is seen it must hold the new block: the table is
 * published before the address).
 */
@JCStressTest
@Outcome(id = {"1, 0, 1", "1, 0, 2", "2, 0, 2"}, expect = ACCEPTABLE, desc = "address not published yet")
@Outcome(id = "2, 1, 2", expect = ACCEPTABLE, desc = "new table, new address, full payload")
@Outcome(
    id = "1, 1, 2",
    expect = ACCEPTABLE_INTERESTING,
    desc = "old table, new address: segment() reloaded the table and the payload is full")
@Outcome(expect = FORBIDDEN, desc = "torn table, torn payload or an address that does not resolve")
@State
public class BlockTablePublish {
  private static final long MAGIC_A = 0x1122334455667788L;
  private static final long MAGIC_B = 0x0102030405060708L;
  private static final VarHandle PUBLISHED;

  static {
    try {
      PUBLISHED = MethodHandles.lookup().findVarHandle(BlockTablePublish.class, "published", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final MultiBlockArena arena =
      new MultiBlockArena("values", TestSupport.AUTO, 64, 1 << 20, ArenaListener.NONE);

  @SuppressWarnings("unused") // through PUBLISHED
  private long published = -1;

  public BlockTablePublish() {
    // A request never fills a fresh block exactly (the block is the next size above it), so fill
    // the 64-byte first block in two steps; the writer's allocation must then enlarge.
    arena.allocate(8);
    arena.allocate(56);
  }

  static {
    BlockTablePublish probe = new BlockTablePublish();
    ArenaUsage u = probe.arena.usage();
    if (u.blocks() != 1 || u.bytesUsed() != u.bytesAllocated()) {
      throw new AssertionError("the first block should be full: " + u);
    }
    probe.writer();
    if (probe.arena.usage().blocks() != 2) {
      throw new AssertionError("the writer should enlarge the arena: " + probe.arena.usage());
    }
  }

  @Actor
  public void writer() {
    long a = arena.allocate(16); // enlarges: block 1
    MemorySegment s = arena.segmentPlain(a);
    long off = a & 0xFFFF_FFFFL;
    s.set(ValueLayout.JAVA_LONG, off, MAGIC_A);
    s.set(ValueLayout.JAVA_LONG, off + 8, MAGIC_B);
    PUBLISHED.setRelease(this, a);
  }

  @Actor
  public void reader(III_Result r) {
    MemorySegment[] t = arena.blocksAcquire();
    r.r1 = blocks(t);
    long a = (long) PUBLISHED.getAcquire(this);
    r.r3 = blocks(arena.blocksAcquire());
    if (a == -1) {
      r.r2 = 0;
      return;
    }
    try {
      MemorySegment s = arena.segment(t, a);
      long off = a & 0xFFFF_FFFFL;
      boolean full =
          s.get(ValueLayout.JAVA_LONG, off) == MAGIC_A
              && s.get(ValueLayout.JAVA_LONG, off + 8) == MAGIC_B;
      r.r2 = full ? 1 : -1;
    } catch (RuntimeException e) {
      r.r2 = -2;
    }
  }

  /** Non-null entries of a table if they are one contiguous run of at least one, else -1. */
  static int blocks(MemorySegment[] t) {
    int first = -1;
    int last = -1;
    int count = 0;
    for (int i = 0; i < t.length; i++) {
      if (t[i] != null) {
        if (first < 0) {
          first = i;
        }
        last = i;
        count++;
      }
    }
    return count == 0 || last - first + 1 != count ? -1 : count;
  }
}
