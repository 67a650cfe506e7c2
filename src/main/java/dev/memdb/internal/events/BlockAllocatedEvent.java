package dev.memdb.internal.events;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR: a buffer's arena took a new off-heap block. */
@Name("dev.memdb.BlockAllocated")
@Label("memdb Block Allocated")
@Description("An arena of a memdb buffer grew by one off-heap block")
public final class BlockAllocatedEvent extends BlockEvent {}
