package dev.memdb.internal.arena;

/**
 * Told of block allocation and release by both arena types, on the writer's thread; used for events
 * and logging.
 */
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

  /**
   * A block was requested ahead of need: it is being allocated off the write lock and counts in the
   * arena from now on. Taking it into use later is not reported again.
   *
   * @param arena the arena's name
   * @param bytes its size
   * @param arenaAllocated the arena's bytes allocated after the change
   */
  default void blockPrepared(String arena, long bytes, long arenaAllocated) {}

  /**
   * A block prepared ahead was given up before use (the arena shrank, reset or closed, or the
   * preparation failed).
   *
   * @param arena the arena's name
   * @param bytes its size
   * @param arenaAllocated the arena's bytes allocated after the change
   */
  default void preparedBlockDropped(String arena, long bytes, long arenaAllocated) {}
}
