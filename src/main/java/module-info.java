/**
 * memdb: an off-heap transaction memory buffer on the Foreign Function and Memory API.
 *
 * <p>Only {@code dev.memdb} is exported; the arena, layouts, tree and value log under {@code
 * dev.memdb.internal} are implementation details.
 *
 * <p>No dependency beyond the JDK: memdb logs (at {@code TRACE} only) through {@link
 * System.Logger}, and emits JFR events from {@code jdk.jfr}.
 */
module dev.memdb {
  requires jdk.jfr;

  exports dev.memdb;
}
