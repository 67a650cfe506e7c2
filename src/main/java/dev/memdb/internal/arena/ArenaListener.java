package dev.memdb.internal.arena;

/** Told of block allocation and release by both arena types; used for events and logging. */
public interface ArenaListener {
  /** A listener that does nothing. */
  ArenaListener NONE = new ArenaListener() {};

  /**
   * A block was allocated.
   *
   * @param arena the arena's name
   * @param bytes its size
   * @param arenaAllocated the arena's bytes allocated after the change
   */
  default void blockAllocated(String arena, long bytes, long arenaAllocated) {}

  /**
   * A block was freed.
   *
   * @param arena the arena's name
   * @param bytes its size
   * @param arenaAllocated the arena's bytes allocated after the change
   */
  default void blockFreed(String arena, long bytes, long arenaAllocated) {}
}
