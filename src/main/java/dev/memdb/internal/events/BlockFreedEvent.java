package dev.memdb.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR: a buffer's arena gave an off-heap block back. */
@Name("dev.memdb.BlockFreed")
@Label("memdb Block Freed")
@Category({"memdb", "Memory"})
@Description(
    "An arena of a memdb buffer gave one off-heap block back (to the block pool or the operating system)")
public final class BlockFreedEvent extends Event {
  /** The buffer's id (see {@code MemDB.toString()}). */
  @Label("Buffer")
  public long buffer;

  /** "nodes" or "values". */
  @Label("Arena")
  public String arena;

  /** The block's size. */
  @Label("Size")
  @DataAmount
  public long size;

  /** The arena's bytes allocated after the change. */
  @Label("Arena Allocated")
  @DataAmount
  public long arenaAllocated;

  /** The buffer's memory footprint (both arenas) after the change. */
  @Label("Buffer Footprint")
  @DataAmount
  public long footprint;
}
