package dev.memdb;

/**
 * An immutable snapshot of a buffer's counters, taken at one moment by {@link MemDB#stats()}.
 *
 * <p><b>Thread safety:</b> an immutable record (with immutable {@link ArenaStats}); safe to share
 * between threads. It does not change when the buffer does: call {@code stats()} again.
 *
 * @param nodes the index-node arena (red-black tree nodes with their keys)
 * @param values the value-log arena
 * @param keyCount live keys, as {@link MemDB#keyCount()}
 * @param dataSize key plus value bytes of live keys, as {@link MemDB#dataSize()}
 * @param stageDepth open stages
 * @param readRetries optimistic reads that had to start again because a node they stood on changed
 * @param readFallbacks reads that gave up optimism and took the writer lock
 */
public record MemDBStats(
    ArenaStats nodes,
    ArenaStats values,
    long keyCount,
    long dataSize,
    int stageDepth,
    long readRetries,
    long readFallbacks) {

  /**
   * Byte accounting of one arena.
   *
   * @param blocks blocks currently in use (during a move of the node block: the old one and the one
   *     being moved to)
   * @param bytesAllocated sum of the blocks' sizes, blocks prepared ahead included: what the
   *     operating system gave
   * @param bytesUsed bytes handed out to nodes or records, alignment padding included
   * @param bytesWasted bytes left unused at the tails of blocks that are no longer the last one
   * @param bytesAhead the part of {@code bytesAllocated} in a block prepared ahead of need and not
   *     in use yet (see {@link MemDBOptions.Builder#prepareAheadBytes(long)})
   */
  public record ArenaStats(
      int blocks, long bytesAllocated, long bytesUsed, long bytesWasted, long bytesAhead) {
    /**
     * Accounting of an arena that holds no block prepared ahead.
     *
     * @param blocks blocks currently in use
     * @param bytesAllocated sum of the blocks' sizes
     * @param bytesUsed bytes handed out, alignment padding included
     * @param bytesWasted bytes left unused at the tails of blocks that are no longer the last one
     */
    public ArenaStats(int blocks, long bytesAllocated, long bytesUsed, long bytesWasted) {
      this(blocks, bytesAllocated, bytesUsed, bytesWasted, 0);
    }
  }

  /**
   * Returns the off-heap bytes allocated by both arenas.
   *
   * @return nodes plus values bytes allocated, as {@link MemDB#memoryFootprint()}
   */
  public long memoryFootprint() {
    return nodes.bytesAllocated() + values.bytesAllocated();
  }
}
