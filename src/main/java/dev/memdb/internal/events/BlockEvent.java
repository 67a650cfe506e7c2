package dev.memdb.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Event;
import jdk.jfr.Label;

/** The fields shared by {@link BlockAllocatedEvent} and {@link BlockFreedEvent}. */
@Category({"memdb", "Memory"})
abstract class BlockEvent extends Event {
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

  /**
   * Whether the block was prepared ahead of need: allocated when its arena's block became half
   * used, counted from then on, and not reported again when it goes into use.
   */
  @Label("Prepared Ahead")
  public boolean ahead;

  /** The buffer's memory footprint (both arenas) after the change. */
  @Label("Buffer Footprint")
  @DataAmount
  public long footprint;
}
