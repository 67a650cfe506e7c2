package dev.memdb.internal.arena;

/**
 * Byte accounting of an arena, taken at one moment by the writer.
 *
 * @param blocks blocks held
 * @param bytesAllocated sum of block sizes
 * @param bytesUsed bytes handed out, padding included
 * @param bytesWasted unused tails of blocks that are not the last
 */
public record ArenaUsage(int blocks, long bytesAllocated, long bytesUsed, long bytesWasted) {}
