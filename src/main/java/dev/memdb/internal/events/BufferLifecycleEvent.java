package dev.memdb.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR: a buffer was reset, had its values discarded, or was closed. */
@Name("dev.memdb.BufferLifecycle")
@Label("memdb Buffer Reset/Close")
@Category({"memdb", "Memory"})
@Description("A memdb buffer was reset, had its values discarded, or was closed")
public final class BufferLifecycleEvent extends Event {
  /** The buffer's id. */
  @Label("Buffer")
  public long buffer;

  /** "reset", "discardValues" or "close". */
  @Label("Action")
  public String action;

  /** Footprint before minus footprint after. */
  @Label("Bytes Freed")
  @DataAmount
  public long bytesFreed;

  /** Live keys before the action. */
  @Label("Keys")
  public long keys;
}
