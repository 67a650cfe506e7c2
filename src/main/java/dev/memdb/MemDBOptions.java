package dev.memdb;

import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Immutable settings of a {@link MemDB}, built with {@link #builder()} (or from existing options
 * with {@link #toBuilder()}). Two options are {@linkplain #equals equal} when every setting is
 * equal, the listener compared by identity.
 *
 * <p><b>Thread safety:</b> immutable; one instance may be shared by any number of threads and
 * buffers. Its {@link Builder} is not thread-safe.
 */
public final class MemDBOptions {
  /** Size of the first block of each arena: 4 KiB. */
  public static final int DEFAULT_INITIAL_BLOCK_SIZE = 4 << 10;

  /**
   * Largest block the value log grows to: 128 MiB. The node arena is one block that doubles without
   * this cap (up to 4 GiB).
   */
  public static final int DEFAULT_MAX_BLOCK_SIZE = 128 << 20;

  /** The smallest block size accepted. */
  public static final int MIN_BLOCK_SIZE = 64;

  /**
   * Bytes a buffer may hold in blocks prepared ahead of need by default: 512 MiB, enough for both
   * arenas' next blocks up to a buffer of about 2.4 million 16 B / 128 B entries (a 256 MiB node
   * block and a 128 MiB value block); a larger buffer's node block moves in one go again. Growing
   * an empty buffer to a million entries, the longest single write went from 2.5 ms to 0.2-5 ms
   * (one round of five: 28 ms) in a process with a warm block pool, and from 610-740 ms to 31-51 ms
   * in one without (bench/README.md, "Growth").
   */
  public static final long DEFAULT_PREPARE_AHEAD_BYTES = 512L << 20;

  /**
   * Value-log records a rollback goes through, by default, before it lets writers queued on the
   * write lock in: 4,096, a fraction of a millisecond here (see {@link
   * Builder#rollbackChunkRecords(int)}).
   */
  public static final int DEFAULT_ROLLBACK_CHUNK_RECORDS = 4096;

  private static final MemDBOptions DEFAULTS = builder().build();

  private final int initialBlockSize;
  private final int maxBlockSize;
  private final long entrySizeLimit;
  private final long bufferSizeLimit;
  private final long prepareAheadBytes;
  private final int rollbackChunkRecords;
  private final LongConsumer memoryFootprintListener;

  private MemDBOptions(Builder b) {
    this.initialBlockSize = b.initialBlockSize;
    this.maxBlockSize = b.maxBlockSize;
    this.entrySizeLimit = b.entrySizeLimit;
    this.bufferSizeLimit = b.bufferSizeLimit;
    this.prepareAheadBytes = b.prepareAheadBytes;
    this.rollbackChunkRecords = b.rollbackChunkRecords;
    this.memoryFootprintListener = b.memoryFootprintListener;
  }

  /**
   * Returns a builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  static MemDBOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns the size of each arena's first block.
   *
   * @return bytes
   */
  public int initialBlockSize() {
    return initialBlockSize;
  }

  /**
   * Returns the size the value log's blocks grow to by doubling; a larger value gets a block of its
   * own. The node arena ignores it: its one block doubles, by moving, up to 4 GiB.
   *
   * @return bytes
   */
  public int maxBlockSize() {
    return maxBlockSize;
  }

  /**
   * Returns the limit on key length plus value length.
   *
   * @return bytes; {@code Long.MAX_VALUE} for none
   */
  public long entrySizeLimit() {
    return entrySizeLimit;
  }

  /**
   * Returns the limit on the buffer's data size.
   *
   * @return bytes; {@code Long.MAX_VALUE} for none
   */
  public long bufferSizeLimit() {
    return bufferSizeLimit;
  }

  /**
   * Returns the most bytes the buffer holds in blocks prepared ahead of need (see {@link
   * Builder#prepareAheadBytes(long)}).
   *
   * @return bytes; 0 when blocks are allocated only when needed
   */
  public long prepareAheadBytes() {
    return prepareAheadBytes;
  }

  /**
   * Returns how many value-log records a rollback undoes before it lets queued writers in (see
   * {@link Builder#rollbackChunkRecords(int)}).
   *
   * @return records; {@code Integer.MAX_VALUE} when a rollback holds the write lock throughout
   */
  public int rollbackChunkRecords() {
    return rollbackChunkRecords;
  }

  /**
   * Returns the memory footprint listener.
   *
   * @return the listener, or null
   */
  public LongConsumer memoryFootprintListener() {
    return memoryFootprintListener;
  }

  /**
   * Returns a builder holding these options, to derive options that differ in a few settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.initialBlockSize = initialBlockSize;
    b.maxBlockSize = maxBlockSize;
    b.entrySizeLimit = entrySizeLimit;
    b.bufferSizeLimit = bufferSizeLimit;
    b.prepareAheadBytes = prepareAheadBytes;
    b.rollbackChunkRecords = rollbackChunkRecords;
    b.memoryFootprintListener = memoryFootprintListener;
    return b;
  }

  /**
   * Tells whether {@code o} holds the same settings; listeners are compared by identity.
   *
   * @param o another object
   * @return true for options with equal settings and the same listener (or none)
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof MemDBOptions other
        && initialBlockSize == other.initialBlockSize
        && maxBlockSize == other.maxBlockSize
        && entrySizeLimit == other.entrySizeLimit
        && bufferSizeLimit == other.bufferSizeLimit
        && prepareAheadBytes == other.prepareAheadBytes
        && rollbackChunkRecords == other.rollbackChunkRecords
        && memoryFootprintListener == other.memoryFootprintListener;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        initialBlockSize,
        maxBlockSize,
        entrySizeLimit,
        bufferSizeLimit,
        prepareAheadBytes,
        rollbackChunkRecords,
        System.identityHashCode(memoryFootprintListener));
  }

  /**
   * Describes the settings, e.g. {@code MemDBOptions[initialBlockSize=4096, maxBlockSize=134217728,
   * entrySizeLimit=none, bufferSizeLimit=1048576, prepareAheadBytes=0, rollbackChunkRecords=4096,
   * memoryFootprintListener=none]}.
   *
   * @return the settings, limits of {@code Long.MAX_VALUE} shown as {@code none}
   */
  @Override
  public String toString() {
    return "MemDBOptions[initialBlockSize="
        + initialBlockSize
        + ", maxBlockSize="
        + maxBlockSize
        + ", entrySizeLimit="
        + limitString(entrySizeLimit)
        + ", bufferSizeLimit="
        + limitString(bufferSizeLimit)
        + ", prepareAheadBytes="
        + prepareAheadBytes
        + ", rollbackChunkRecords="
        + rollbackChunkRecords
        + ", memoryFootprintListener="
        + (memoryFootprintListener == null ? "none" : "set")
        + "]";
  }

  private static String limitString(long limit) {
    return limit == Long.MAX_VALUE ? "none" : Long.toString(limit);
  }

  static long normalizeLimit(long limit, String what) {
    if (limit < 0) {
      throw new IllegalArgumentException(what + " must be 0 (unlimited) or positive, was " + limit);
    }
    return limit == 0 ? Long.MAX_VALUE : limit;
  }

  /**
   * Builds {@link MemDBOptions}.
   *
   * <p><b>Thread safety:</b> not thread-safe; use a builder from one thread (the options it builds
   * are immutable and may be shared).
   */
  public static final class Builder {
    private int initialBlockSize = DEFAULT_INITIAL_BLOCK_SIZE;
    private int maxBlockSize = DEFAULT_MAX_BLOCK_SIZE;
    private long entrySizeLimit = Long.MAX_VALUE;
    private long bufferSizeLimit = Long.MAX_VALUE;
    private long prepareAheadBytes = DEFAULT_PREPARE_AHEAD_BYTES;
    private int rollbackChunkRecords = DEFAULT_ROLLBACK_CHUNK_RECORDS;
    private LongConsumer memoryFootprintListener;

    private Builder() {}

    /**
     * Sets the size of each arena's first block.
     *
     * @param bytes at least {@value MemDBOptions#MIN_BLOCK_SIZE}, a multiple of 8
     * @return this builder
     */
    public Builder initialBlockSize(int bytes) {
      this.initialBlockSize = bytes;
      return this;
    }

    /**
     * Sets the block size the value log's growth stops at. The node arena is one block that doubles
     * without this cap (up to 4 GiB).
     *
     * @param bytes at least the initial block size, a multiple of 8
     * @return this builder
     */
    public Builder maxBlockSize(int bytes) {
      this.maxBlockSize = bytes;
      return this;
    }

    /**
     * Sets the limit on key length plus value length of one write.
     *
     * @param bytes 0 or {@code Long.MAX_VALUE} for none
     * @return this builder
     */
    public Builder entrySizeLimit(long bytes) {
      this.entrySizeLimit = normalizeLimit(bytes, "entry size limit");
      return this;
    }

    /**
     * Sets the limit on the buffer's data size.
     *
     * @param bytes 0 or {@code Long.MAX_VALUE} for none
     * @return this builder
     */
    public Builder bufferSizeLimit(long bytes) {
      this.bufferSizeLimit = normalizeLimit(bytes, "buffer size limit");
      return this;
    }

    /**
     * Sets the most bytes the buffer may hold in blocks prepared ahead of need.
     *
     * <p>Why: a new block is zeroed and faulted in by the operating system (1.5 µs per 4 KiB page
     * on a plain host, about 10 µs in a small VM: 48 to 330 ms for a 128 MiB block), and a full
     * node block is copied into one twice as large. Done when the block is needed, both happen
     * under the write lock, and every writer waits. With a budget, once a quarter of an arena's
     * block is used its next block is allocated on a background daemon thread ({@code
     * memdb-block-preparer}, one per process); the node block moves into it a little on every write
     * once it is 7/8 used. A write that finds the value block it needs still being prepared takes a
     * 256 KiB block instead of waiting; one that finds the node block full before its successor is
     * ready waits for the preparer if it is allocating that block (less than allocating it afresh)
     * and otherwise allocates it itself.
     *
     * <p>The cost: blocks prepared ahead count in {@link MemDB#memoryFootprint()} (and {@link
     * MemDBStats.ArenaStats#bytesAhead()}) from the moment they are requested, up to this many
     * bytes per buffer; the footprint reaches its next step earlier than without (a node block
     * holds its successor, twice its size, from a quarter use on). Blocks under 256 KiB are always
     * allocated when needed. Blocks freed by a pool-warm process ({@link MemDB#trimBlockPool()})
     * cost little either way: the option matters for buffers that grow into fresh memory.
     *
     * @param bytes 0 to allocate every block when it is needed (the write lock is then held while a
     *     block is zeroed, and while the whole node block is copied); default {@link
     *     MemDBOptions#DEFAULT_PREPARE_AHEAD_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder prepareAheadBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "prepare-ahead bytes must be 0 (off) or positive, was " + bytes);
      }
      this.prepareAheadBytes = bytes;
      return this;
    }

    /**
     * Sets how many value-log records a rollback ({@link MemDB#cleanup(int)}, {@link
     * MemDB#revertToCheckpoint(Checkpoint)}) goes through before it lets writers queued on the
     * write lock in.
     *
     * <p>Why: the rollback of a large stage reads and undoes every record written in it, 50-80 ms
     * for a million here once compiled (several times that the first time, still interpreted), and
     * a writer that holds the lock that long stalls every locker behind it. A rollback makes two
     * passes in chunks of this many records: one counts what it will change (before its
     * linearization point: a writer let in then goes first), one undoes (after it: readers already
     * see the state it leaves, and so does a writer let in). Between chunks, a flags-only {@link
     * MemDB#updateFlags(byte[], FlagsOp...) updateFlags} (the pessimistic-lock path) goes ahead,
     * and any other writer operation first finishes the rollback. The rollback waits at most half a
     * millisecond at each chunk boundary for the writers queued there, so it always finishes; under
     * a steady stream of lockers that makes it several times longer.
     *
     * @param records at least 1; {@code Integer.MAX_VALUE} holds the write lock for the whole
     *     rollback (the behaviour before this option); default {@link
     *     MemDBOptions#DEFAULT_ROLLBACK_CHUNK_RECORDS}
     * @return this builder
     * @throws IllegalArgumentException if {@code records} is below 1
     */
    public Builder rollbackChunkRecords(int records) {
      if (records < 1) {
        throw new IllegalArgumentException(
            "rollback chunk must be at least 1 record, was " + records);
      }
      this.rollbackChunkRecords = records;
      return this;
    }

    /**
     * Sets the listener told of the memory footprint after an operation changed it: on the writing
     * thread, under the write lock, once the operation is complete. It is an after-the-fact
     * notification: if it throws, the operation stays applied and the call throws {@link
     * FootprintListenerException} (see {@link MemDB#setMemoryFootprintListener(LongConsumer)}).
     *
     * @param listener the listener, or null for none
     * @return this builder
     */
    public Builder memoryFootprintListener(LongConsumer listener) {
      this.memoryFootprintListener = listener;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return immutable options
     * @throws IllegalArgumentException if the block sizes are out of range
     */
    public MemDBOptions build() {
      if (initialBlockSize < MIN_BLOCK_SIZE || (initialBlockSize & 7) != 0) {
        throw new IllegalArgumentException(
            "initial block size must be a multiple of 8 and at least "
                + MIN_BLOCK_SIZE
                + ", was "
                + initialBlockSize);
      }
      if (maxBlockSize < initialBlockSize || (maxBlockSize & 7) != 0) {
        throw new IllegalArgumentException(
            "max block size must be a multiple of 8 and at least the initial block size "
                + initialBlockSize
                + ", was "
                + maxBlockSize);
      }
      return new MemDBOptions(this);
    }
  }
}
