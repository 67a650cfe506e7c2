package dev.memdb.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR: a stage cleanup or a revert to a checkpoint undid writes (duration = the whole rollback).
 */
@Name("dev.memdb.Rollback")
@Label("memdb Rollback")
@Category({"memdb", "Transactions"})
@Description("A stage cleanup or revertToCheckpoint undid value-log records")
public final class RollbackEvent extends Event {
  /** The buffer's id. */
  @Label("Buffer")
  public long buffer;

  /** "cleanup" or "revertToCheckpoint". */
  @Label("Kind")
  public String kind;

  /** Value-log records undone. */
  @Label("Records Undone")
  public long recordsUndone;

  /** Footprint before minus footprint after. */
  @Label("Bytes Freed")
  @DataAmount
  public long bytesFreed;

  /** The buffer's memory footprint after the rollback. */
  @Label("Buffer Footprint")
  @DataAmount
  public long footprint;
}
