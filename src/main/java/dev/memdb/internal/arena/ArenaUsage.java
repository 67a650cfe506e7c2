package dev.memdb.internal.arena;

/**
 * Byte accounting of an arena, taken at one moment by the writer.
 *
 * @param blocks blocks in use
 * @param bytesAllocated sum of block sizes, blocks prepared ahead included
 * @param bytesUsed bytes handed out, padding included
 * @param bytesWasted unused tails of blocks that are not the last
 * @param bytesAhead the part of {@code bytesAllocated} prepared ahead and not in use yet
 */
public record ArenaUsage(
    int blocks, long bytesAllocated, long bytesUsed, long bytesWasted, long bytesAhead) {}
