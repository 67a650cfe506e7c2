/**
 * JFR events of memdb: blocks allocated and freed, rollbacks, resets and closes. When no recording
 * enables them, {@code shouldCommit()} is false and the JIT removes the rest; they are emitted only
 * on block growth and bulk operations, never per read or write.
 */
package dev.memdb.internal.events;
