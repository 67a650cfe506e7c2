package dev.memdb.internal.events;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR: a buffer's arena gave an off-heap block back. */
@Name("dev.memdb.BlockFreed")
@Label("memdb Block Freed")
@Description(
    "An arena of a memdb buffer gave one off-heap block back (to the block pool or the operating"
        + " system)")
public final class BlockFreedEvent extends BlockEvent {}
