package dev.memdb.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Negative control: the seed bug's shape in a test-local class. The writer publishes an enlarged
 * block table with a plain store BEFORE filling in the new block (Go's enlarge appending to the
 * block list that readers walk). A reader that sees the new table with a hole is the race; it is
 * marked ACCEPTABLE_INTERESTING so the run passes, and its count shows the harness can see it.
 * r1: 0 = old table, 1 = new table complete, -1 = new table with a missing block (torn).
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "old table")
@Outcome(id = "1", expect = ACCEPTABLE, desc = "new table, complete")
@Outcome(id = "-1", expect = ACCEPTABLE_INTERESTING, desc = "THE RACE: new table published before its block")
@Outcome(expect = FORBIDDEN, desc = "impossible")
@State
public class BrokenTablePublish {
  private static final MemorySegment BLOCK0 = Arena.global().allocate(64);
  private static final MemorySegment BLOCK1 = Arena.global().allocate(128);

  private MemorySegment[] table = {BLOCK0};

  @Actor
  public void writer() {
    MemorySegment[] grown = new MemorySegment[2];
    grown[0] = table[0];
    table = grown; // BUG: published with a plain store before it is complete
    grown[1] = BLOCK1;
  }

  @Actor
  public void reader(I_Result r) {
    MemorySegment[] t = table;
    if (t.length == 1) {
      r.r1 = 0;
    } else {
      r.r1 = t[1] == null ? -1 : 1;
    }
  }
}
