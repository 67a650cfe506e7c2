/**
 * memdb: an off-heap transaction memory buffer on the Foreign Function and Memory API.
 *
 * <p>Only {@code dev.memdb} is exported; the arena, layouts, tree and value log under {@code
 * dev.memdb.internal} are implementation details.
 */
module dev.memdb {
  requires org.slf4j;
  requires jdk.jfr;

  exports dev.memdb;
}
