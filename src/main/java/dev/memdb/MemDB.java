package dev.memdb;

import dev.memdb.internal.arena.AheadBudget;
import dev.memdb.internal.arena.ArenaUsage;
import dev.memdb.internal.arena.BlockAllocator;
import dev.memdb.internal.core.ReadGate;
import dev.memdb.internal.core.SnapshotView;
import dev.memdb.internal.core.Store;
import dev.memdb.internal.events.BufferEvents;
import dev.memdb.internal.events.RollbackEvent;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A transaction's memory buffer: an ordered map from byte-string keys to values, with per-key
 * flags, nested stages, checkpoints, snapshots and iterators, every byte of it off-heap.
 *
 * <h2>Thread safety and lifetime</h2>
 *
 * <p>Every method may be called from any thread, at any time.
 *
 * <ul>
 *   <li><b>Writes</b> ({@code set}, {@code delete}, {@code updateFlags}, {@code staging}, {@code
 *       release}, {@code cleanup}, {@code revertToCheckpoint}, {@code reset}, {@code
 *       discardValues}, {@code close}, limits and listener changes) are serialized inside by one
 *       lock; callers need none.
 *   <li><b>Point reads</b> ({@code get}, {@code getFlags}, {@code keyCount}, {@code dataSize},
 *       {@code isDirty}, snapshot {@code get}) take no lock and are linearizable: a reader
 *       validates each tree node it passes by the node's version and starts again only if a node it
 *       stands on changed under it, so a writer inserting elsewhere does not slow it down. Changes
 *       that must look atomic across many keys are linearized at one point: while a stage cleanup
 *       or a revert to a checkpoint runs, readers see every key as the rollback will leave it and
 *       do not wait; {@code reset}, {@code discardValues} and {@code close} are the only calls
 *       readers wait for.
 *   <li><b>Iterators</b> are weakly consistent (see {@link MemDBIterator}); one iterator belongs to
 *       one thread at a time.
 *   <li><b>Close</b>: after {@link #close()}, every call on any thread fails with {@code
 *       IllegalStateException("MemDB is closed")}; a read already under way either finishes with a
 *       value read before the close or fails the same way. Memory is freed by closing the blocks'
 *       shared arenas, so it can never be read after it was freed: the JVM never crashes. Closing
 *       costs a thread handshake per block; do it off the hot path.
 *   <li><b>Stages</b> are buffer-wide, not per thread: there is one stack of stages per buffer,
 *       shared by every thread, and any thread may release or clean up a stage another thread
 *       opened. Two threads running statements at the same time must agree on who opens and ends
 *       stages (a transaction runs its statements one at a time). See "Stage handles" below.
 *   <li><b>The footprint listener</b> runs on the writing thread, under the write lock, after the
 *       operation completed (see {@link #setMemoryFootprintListener(LongConsumer)}).
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * <p>Every exception a call throws leaves the buffer exactly as it was before the call, with one
 * exception: a {@link FootprintListenerException} reports that the footprint listener threw
 * <em>after</em> the operation was applied (the listener is an after-the-fact notification; roll
 * back yourself to abort). Every parameter of a reference type must be non-null ({@link
 * NullPointerException}, with the parameter's name, before anything changes), except where a method
 * says what null means: iterator bounds (unbounded), the listener (none), and {@code set}'s value
 * ({@link IllegalArgumentException}, as API.md says). That includes flag operations: {@code set(k,
 * v, (FlagsOp) null)} and a null element of the {@code ops} array are rejected; pass no operations
 * instead.
 *
 * <h2>Keys and order</h2>
 *
 * <p>Keys are byte strings of 0 to 65,535 bytes (the empty key is a key). They are ordered unsigned
 * lexicographically, as {@link java.util.Arrays#compareUnsigned(byte[], byte[])}: byte by byte as
 * values 0 to 255 ({@code 0x7f < 0x80 < 0xff}), and a key before every longer key it is a prefix
 * of. Iterators, bounds, {@link #forEach}, {@link #entries} and {@link MemDBIterator#seek} all use
 * this order. Big-endian encodings of unsigned numbers therefore sort numerically; signed ones need
 * their sign bit flipped.
 *
 * <h2>Off-heap keys and values, and {@code ByteBuffer}s</h2>
 *
 * <p>The {@link MemorySegment} overloads ({@link #set(MemorySegment, MemorySegment, FlagsOp...)},
 * {@link #get(MemorySegment, MemorySegment)}) read and write a caller's memory without a {@code
 * byte[]} in between. A {@link java.nio.ByteBuffer} (direct or heap) becomes a segment with {@link
 * MemorySegment#ofBuffer(java.nio.Buffer)}: the segment covers the buffer's bytes from its position
 * to its limit, and the buffer's position and limit are not moved. For example:
 *
 * <pre>{@code
 * db.set(MemorySegment.ofBuffer(keyBuf), MemorySegment.ofBuffer(valueBuf));
 * long n = db.get(MemorySegment.ofBuffer(keyBuf), MemorySegment.ofBuffer(dstBuf));
 * if (n >= 0 && n <= dstBuf.remaining()) {
 *   dstBuf.limit(dstBuf.position() + (int) n); // the value is at dstBuf's position
 * }
 * }</pre>
 *
 * <p>The bytes are copied in both directions; the buffers may be reused as soon as the call
 * returns. A read-only buffer gives a read-only segment: fine for keys and values to write, not as
 * a destination.
 *
 * <h2>Stage handles</h2>
 *
 * <p>A stage handle is the stage's depth ({@link #staging()} returns the new {@link
 * #stagingDepth()}), as in the TiKV client; it is not an identity. A handle kept after its stage
 * ended therefore equals the handle of the next stage opened at that depth and acts on that stage:
 * {@code h = staging(); cleanup(h); staging(); cleanup(h)} rolls back the second stage. Forget a
 * handle once its stage is released or cleaned up. Handle 0 is a no-op for {@code release} and
 * {@code cleanup}.
 */
public final class MemDB implements AutoCloseable {
  private static final FlagsOp[] NO_OPS = new FlagsOp[0];

  private final Store store;
  private final BufferEvents events;
  private final ReadGate gate;
  private final ReentrantLock lock;
  private volatile LongConsumer footprintListener;
  private long resetGeneration;
  private boolean inCallback;

  private MemDB(MemDBOptions options, BlockAllocator allocator, long maxIndexBytes, long minAhead) {
    this.events = new BufferEvents();
    this.store =
        new Store(
            allocator,
            options.initialBlockSize(),
            options.maxBlockSize(),
            maxIndexBytes,
            new AheadBudget(options.prepareAheadBytes(), minAhead),
            events);
    events.footprintFrom(store::memoryFootprint);
    this.gate = store.gate();
    this.lock = gate.writeLock();
    this.footprintListener = options.memoryFootprintListener();
    store.writes().setLimits(options.entrySizeLimit(), options.bufferSizeLimit());
    store.stages().setRollbackChunkRecords(options.rollbackChunkRecords());
  }

  /**
   * Creates an empty buffer with the default options. It allocates no off-heap memory until the
   * first write.
   *
   * @return a new buffer
   */
  public static MemDB create() {
    return create(MemDBOptions.defaults());
  }

  /**
   * Creates an empty buffer. It allocates no off-heap memory until the first write.
   *
   * @param options block sizes, limits and listener
   * @return a new buffer
   * @throws NullPointerException if {@code options} is null
   */
  public static MemDB create(MemDBOptions options) {
    return new MemDB(
        Objects.requireNonNull(options, "options"),
        BlockAllocator.pooled(),
        IndexTooLargeException.MAX_INDEX_BYTES,
        AheadBudget.MIN_PREPARED_BLOCK);
  }

  /** Test seam: a buffer whose blocks come from the given allocator (fault injection). */
  static MemDB create(MemDBOptions options, BlockAllocator allocator) {
    return new MemDB(
        options, allocator, IndexTooLargeException.MAX_INDEX_BYTES, AheadBudget.MIN_PREPARED_BLOCK);
  }

  /** Tests: the buffer's internals, for invariant checks under the write lock. */
  Store store() {
    return store;
  }

  /** Tests: a buffer whose node block stops growing at {@code maxIndexBytes}. */
  static MemDB create(MemDBOptions options, BlockAllocator allocator, long maxIndexBytes) {
    return new MemDB(options, allocator, maxIndexBytes, AheadBudget.MIN_PREPARED_BLOCK);
  }

  /**
   * Test seam: a buffer that prepares blocks ahead from {@code minAhead} bytes up, so small buffers
   * move their node block and swap in prepared value blocks often.
   */
  static MemDB create(
      MemDBOptions options, BlockAllocator allocator, long maxIndexBytes, long minAhead) {
    return new MemDB(options, allocator, maxIndexBytes, minAhead);
  }

  /**
   * Gives back to the operating system the freed blocks memdb keeps for reuse. Power-of-two blocks
   * of up to 256 MiB freed by rollbacks, resets, node-arena moves and closes are pooled
   * process-wide (at most 512 MiB; see {@code memdb.pool.maxBytes} and {@code
   * memdb.pool.maxBlockBytes}), because freeing FFM memory from a shared arena costs a handshake
   * with every thread and a fresh block must be zeroed and faulted in; call this to return that
   * memory, e.g. after a burst of large transactions.
   *
   * @return bytes freed
   */
  public static long trimBlockPool() {
    return BlockAllocator.trimPool();
  }

  /**
   * Returns the bytes of freed blocks memdb keeps for reuse across all buffers of this JVM; they
   * are not part of any buffer's {@link #memoryFootprint()}.
   *
   * @return bytes
   */
  public static long pooledBlockBytes() {
    return BlockAllocator.pooledBytes();
  }

  // ------------------------------------------------------------------ writes

  /**
   * Writes a value, applying flag operations (client-go Set / SetWithFlags). A write clears
   * NEED_CONSTRAINT_CHECK_IN_PREWRITE before applying {@code ops}.
   *
   * @param key the key, at most 65,535 bytes
   * @param value the value, not empty
   * @param ops flag operations, applied left to right
   * @throws NullPointerException if {@code key}, {@code ops} or an element of {@code ops} is null
   * @throws IllegalArgumentException if {@code value} is null or empty
   * @throws KeyTooLargeException if the key is longer than 65,535 bytes
   * @throws EntryTooLargeException if key plus value is over the entry size limit
   * @throws TxnTooLargeException if the write would take the data size over the buffer limit
   * @throws IllegalStateException if closed, or after {@link #discardValues()}
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void set(byte[] key, byte[] value, FlagsOp... ops) {
    gate.checkOpen();
    checkKey(key);
    if (value == null || value.length == 0) {
      throw new IllegalArgumentException(
          "cannot set an empty value ("
              + (value == null ? "null" : "byte[0]")
              + "); use delete for a tombstone");
    }
    write(key, value, ops);
  }

  /**
   * Writes a value with no flag operations; the same as {@link #set(byte[], byte[], FlagsOp...)}
   * without allocating a varargs array.
   *
   * @param key the key
   * @param value the value, not empty
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code value} is null or empty
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void set(byte[] key, byte[] value) {
    set(key, value, NO_OPS);
  }

  /**
   * Writes a tombstone (an empty value), applying flag operations (client-go Delete /
   * DeleteWithFlags).
   *
   * @param key the key
   * @param ops flag operations
   * @throws NullPointerException if {@code key}, {@code ops} or an element of {@code ops} is null
   * @throws KeyTooLargeException if the key is longer than 65,535 bytes
   * @throws EntryTooLargeException if the key is over the entry size limit
   * @throws TxnTooLargeException if the write would take the data size over the buffer limit
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void delete(byte[] key, FlagsOp... ops) {
    gate.checkOpen();
    checkKey(key);
    write(key, EMPTY, ops);
  }

  /**
   * Writes a tombstone with no flag operations.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void delete(byte[] key) {
    delete(key, NO_OPS);
  }

  /**
   * Changes only a key's flags; creates a flag-only key if the key is absent.
   *
   * <p>An update that would change nothing (the key is present and its flags, one of them
   * persistent such as {@link KeyFlag#KEY_LOCKED}, already are what the operations make them: a key
   * locked again) returns after a lock-free, linearizable read instead of waiting for the writers.
   *
   * @param key the key
   * @param ops flag operations
   * @throws NullPointerException if {@code key}, {@code ops} or an element of {@code ops} is null
   * @throws KeyTooLargeException if the key is longer than 65,535 bytes
   * @throws TxnTooLargeException if a new key would take the data size over the buffer limit
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void updateFlags(byte[] key, FlagsOp... ops) {
    gate.checkOpen();
    checkKey(key);
    // A key locked again (the pessimistic-lock path) changes nothing: answer from a lock-free read
    // instead of queueing behind the writers. The lock's owner is its visitor's caller: it goes on
    // to the checks of the write path.
    if (!lock.isHeldByCurrentThread() && store.flagsUpdateChangesNothing(key, checkOps(ops))) {
      return;
    }
    write(key, null, ops);
  }

  /**
   * Creates a flag-only key if absent; changes nothing else.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void updateFlags(byte[] key) {
    updateFlags(key, NO_OPS);
  }

  /**
   * Writes a value given as segments, without allocating (the zero-allocation write path). The
   * bytes are copied; the segments may be reused after the call.
   *
   * @param key the key's bytes, at most 65,535
   * @param value the value's bytes, not empty
   * @param ops flag operations
   * @throws NullPointerException if {@code key}, {@code value}, {@code ops} or an element of {@code
   *     ops} is null
   * @throws IllegalArgumentException if {@code value} is empty
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void set(MemorySegment key, MemorySegment value, FlagsOp... ops) {
    gate.checkOpen();
    checkKey(key);
    Objects.requireNonNull(value, "value");
    if (value.byteSize() == 0) {
      throw new IllegalArgumentException("cannot set an empty value; use delete for a tombstone");
    }
    if (value.byteSize() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("value of " + value.byteSize() + " bytes is over 2^31-1");
    }
    write(key, value, ops);
  }

  /**
   * Writes a value given as segments, with no flag operations and no varargs array.
   *
   * @param key the key's bytes
   * @param value the value's bytes, not empty
   * @throws NullPointerException if {@code key} or {@code value} is null
   * @throws FootprintListenerException if the footprint listener threw; the write was applied
   */
  public void set(MemorySegment key, MemorySegment value) {
    set(key, value, NO_OPS);
  }

  private static final byte[] EMPTY = new byte[0];

  private void write(byte[] key, byte[] value, FlagsOp[] ops) {
    write(key, value, null, null, ops);
  }

  private void write(MemorySegment key, MemorySegment value, FlagsOp[] ops) {
    write(null, null, key, value, ops);
  }

  /** Every write: the key and value come either as arrays or as segments. */
  private void write(
      byte[] keyArray,
      byte[] valueArray,
      MemorySegment keySegment,
      MemorySegment valueSegment,
      FlagsOp[] ops) {
    FlagsOp[] o = checkOps(ops);
    lock.lock();
    try {
      checkWritable();
      long before = footprintBefore();
      if (keyArray != null) {
        store.writes().write(keyArray, valueArray, o);
      } else {
        store.writes().write(keySegment, valueSegment, o);
      }
      footprintChanged(before);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ point reads

  /**
   * Reads a key's current value. Lock-free and linearizable.
   *
   * @param key the key
   * @return a copy of the value; {@code byte[0]} for a tombstone; null if absent, flag-only or
   *     rolled back
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if closed, or after {@link #discardValues()}
   */
  public byte[] get(byte[] key) {
    gate.checkOpen();
    Objects.requireNonNull(key, "key");
    return store.get(key);
  }

  /**
   * Reads a key's current value into a caller's array without allocating (the zero-allocation read
   * path). Lock-free and linearizable, like {@link #get(byte[])}.
   *
   * @param key the key
   * @param dst receives the value from index 0 if it fits
   * @return the value's length, copied only if {@code <= dst.length} (call again with a larger
   *     array otherwise; 0 is a tombstone), or -1 if the key has no value. Bytes of {@code dst}
   *     beyond the returned length, or all of it when nothing was copied, are unspecified: a read
   *     that had to start again may have written there.
   * @throws NullPointerException if {@code key} or {@code dst} is null
   * @throws IllegalStateException if closed, or after {@link #discardValues()}
   */
  public int get(byte[] key, byte[] dst) {
    gate.checkOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(dst, "dst");
    return (int) store.getInto(key, dst);
  }

  /**
   * Reads a key's current value into a caller's segment without allocating (the zero-allocation
   * read path for callers that keep keys and values off-heap). Lock-free and linearizable.
   *
   * @param key the key's bytes (any segment the calling thread can read; not changed during the
   *     call)
   * @param dst receives the value from offset 0 if it fits
   * @return the value's length, copied only if {@code <= dst.byteSize()}, or -1 if the key has no
   *     value; as with {@link #get(byte[], byte[])}, bytes of {@code dst} not covered by a copied
   *     value are unspecified
   * @throws NullPointerException if {@code key} or {@code dst} is null
   * @throws IllegalStateException if closed, or after {@link #discardValues()}
   */
  public long get(MemorySegment key, MemorySegment dst) {
    gate.checkOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(dst, "dst");
    return store.getInto(key, dst);
  }

  /**
   * Reads a key's flags. Lock-free and linearizable.
   *
   * @param key the key
   * @return the flags (tombstoned and flag-only keys have flags), null if absent
   * @throws NullPointerException if {@code key} is null
   */
  public KeyFlags getFlags(byte[] key) {
    gate.checkOpen();
    Objects.requireNonNull(key, "key");
    return store.getFlags(key);
  }

  // ------------------------------------------------------------------ stages and checkpoints

  /**
   * Opens a nested stage (a statement). Stages are buffer-wide: the stack is shared by every
   * thread.
   *
   * @return its handle: the new depth, from 1. It is a depth, not an identity: once the stage
   *     ended, the next stage opened at the same depth gets the same handle (see "Stage handles"
   *     above)
   */
  public int staging() {
    lock.lock();
    try {
      checkWritable();
      return store.stages().open();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Merges the innermost stage into its parent: its writes now belong to the parent.
   *
   * @param handle the innermost stage's handle, i.e. {@link #stagingDepth()}; 0 is a no-op. Any
   *     thread may release a stage; a stale handle that equals the current depth releases the
   *     current innermost stage
   * @throws IllegalStateException if {@code handle} is not the innermost stage
   */
  public void release(int handle) {
    lock.lock();
    try {
      checkWritable();
      store.stages().release(handle);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Rolls back the innermost stage: undoes its writes (and those of stages released into it).
   *
   * @param handle the innermost stage's handle, i.e. {@link #stagingDepth()}; 0 or a handle above
   *     the depth is a no-op. Any thread may clean up a stage; a stale handle that equals the
   *     current depth rolls back the current innermost stage
   * @throws IllegalStateException if {@code handle} is below the innermost stage
   * @throws FootprintListenerException if the footprint listener threw; the rollback was applied
   */
  public void cleanup(int handle) {
    lock.lock();
    try {
      checkWritable();
      long before = store.memoryFootprint();
      RollbackEvent event = events.beginRollback();
      long undone = store.stages().cleanup(handle);
      events.rolledBack(event, "cleanup", undone, before);
      footprintChanged(before);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the number of open stages.
   *
   * @return depth
   */
  public int stagingDepth() {
    gate.checkOpen();
    return store.stages().depth();
  }

  /**
   * Returns the current position in the value log.
   *
   * @return an opaque checkpoint
   */
  public Checkpoint checkpoint() {
    lock.lock();
    try {
      gate.checkOpen();
      return new Checkpoint(this, resetGeneration, store.stages().checkpoint());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Undoes every write made after a checkpoint; open stages are kept.
   *
   * @param cp a checkpoint of this buffer
   * @throws NullPointerException if {@code cp} is null
   * @throws IllegalArgumentException if the checkpoint is stale: before the start of an open stage,
   *     after the tail, rolled back over, from before a reset, or from another buffer
   * @throws FootprintListenerException if the footprint listener threw; the revert was applied
   */
  public void revertToCheckpoint(Checkpoint cp) {
    Objects.requireNonNull(cp, "checkpoint");
    lock.lock();
    try {
      checkWritable();
      if (cp.owner != this) {
        throw new IllegalArgumentException("checkpoint " + cp + " belongs to another MemDB");
      }
      if (cp.resetGeneration != resetGeneration) {
        throw new IllegalArgumentException(
            "checkpoint " + cp + " was taken before the buffer was reset");
      }
      String why = store.stages().whyNotRevertible(cp.mark);
      if (why != null) {
        throw new IllegalArgumentException("stale checkpoint: " + why);
      }
      long before = store.memoryFootprint();
      RollbackEvent event = events.beginRollback();
      long undone = store.stages().revertToCheckpoint(cp.mark);
      events.rolledBack(event, "revertToCheckpoint", undone, before);
      footprintChanged(before);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ iteration and snapshots

  /**
   * Iterates ascending over keys in {@code [lower, upper)}; skips flag-only keys, yields
   * tombstones.
   *
   * @param lower inclusive lower bound, null for none (an empty array is the empty key)
   * @param upper exclusive upper bound, null for none
   * @return a weakly consistent iterator, positioned on the first key
   */
  public MemDBIterator iterator(byte[] lower, byte[] upper) {
    return store.iterator(lower, upper, true, false);
  }

  /**
   * Iterates descending over keys in {@code [lower, upper)}; skips flag-only keys.
   *
   * @param lower inclusive lower bound, null for none
   * @param upper exclusive upper bound, null for none
   * @return a weakly consistent iterator, positioned on the last key below {@code upper}
   */
  public MemDBIterator descendingIterator(byte[] lower, byte[] upper) {
    return store.iterator(lower, upper, false, false);
  }

  /**
   * Iterates ascending over keys in {@code [lower, upper)}, flag-only keys included.
   *
   * @param lower inclusive lower bound, null for none
   * @param upper exclusive upper bound, null for none
   * @return a weakly consistent iterator
   */
  public MemDBIterator iteratorWithFlags(byte[] lower, byte[] upper) {
    return store.iterator(lower, upper, true, true);
  }

  /**
   * Iterates descending over keys in {@code [lower, upper)}, flag-only keys included.
   *
   * @param lower inclusive lower bound, null for none
   * @param upper exclusive upper bound, null for none
   * @return a weakly consistent iterator
   */
  public MemDBIterator descendingIteratorWithFlags(byte[] lower, byte[] upper) {
    return store.iterator(lower, upper, false, true);
  }

  /**
   * Visits every key in {@code [lower, upper)} in ascending order, as {@link #iterator(byte[],
   * byte[])} yields them (flag-only keys skipped, tombstones with a value of {@code byte[0]}), with
   * the iterator's weak consistency. The visitor runs on the calling thread with no lock held, so
   * it may read and even write the buffer (a write may or may not be seen by the rest of the
   * visit). An exception from the visitor stops the visit and propagates; the iterator is closed
   * either way.
   *
   * <p>The visitor receives {@code byte[]} copies rather than views of the buffer's memory: a view
   * of off-heap memory would not be safe, since a writer may overwrite a value of the same length
   * in place, and a rollback, {@code reset} or {@code close} frees the blocks under it; every entry
   * is already copied once into the iterator's heap batch to be read consistently.
   *
   * @param lower inclusive lower bound, null for none
   * @param upper exclusive upper bound, null for none
   * @param visitor receives each key, value and flags
   * @throws NullPointerException if {@code visitor} is null
   * @throws IllegalStateException if the buffer is closed (also when it closes during the visit)
   */
  public void forEach(byte[] lower, byte[] upper, EntryVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    Ranges.forEach(iterator(lower, upper), visitor);
  }

  /**
   * Visits every key in {@code [lower, upper)} in ascending order, as {@link #iterator(byte[],
   * byte[])} yields them (flag-only keys skipped, tombstones with a value of length 0), while the
   * calling thread holds the write lock: the fastest way through a buffer that is done being
   * written, such as a transaction's commit.
   *
   * <p>Because no write can run during the visit, it sees the buffer exactly as it was when the
   * visit began (a consistent view, where an iterator is only weakly consistent), and it reads each
   * entry in place: the visitor gets an {@link EntryView} that copies the key and value straight
   * from off-heap memory into arrays of its choice, with no validation and no read-ahead copy. A
   * rollback under way is finished first. The price is that other threads' writes wait until the
   * visit ends (lock-free reads do not), so keep the visitor short where writers are live.
   *
   * <p>The visitor must not write to the buffer, close it, or start another visit or inspection
   * ({@code IllegalStateException}, the buffer unchanged). An exception from the visitor stops the
   * visit and propagates; the lock is released either way.
   *
   * @param lower inclusive lower bound, null for none
   * @param upper exclusive upper bound, null for none
   * @param visitor receives each entry, as a view valid only during its call
   * @throws NullPointerException if {@code visitor} is null
   * @throws IllegalStateException if the buffer is closed, after {@link #discardValues()}, or if
   *     the visitor writes
   */
  public void forEachExclusive(byte[] lower, byte[] upper, EntryViewVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    withCallback(
        () -> {
          store.visitExclusive(lower, upper, visitor);
          return null;
        });
  }

  /**
   * Streams the keys in {@code [lower, upper)} in ascending order, as {@link #iterator(byte[],
   * byte[])} yields them, each as an {@link Entry} of copies. The stream is sequential and its
   * spliterator is {@code ORDERED}, {@code SORTED} (by {@link Entry#KEY_ORDER}), {@code DISTINCT},
   * {@code NONNULL} and {@code CONCURRENT} (weakly consistent beside writers).
   *
   * <p>An iterator is opened at once (so a closed buffer fails here) and closed when the stream is
   * {@linkplain Stream#close() closed} or consumed to its end. Close a stream you may abandon early
   * (try-with-resources): an abandoned one holds no off-heap memory, only heap read-ahead buffers
   * for the garbage collector, but closing hands them to the next iterator. Once the buffer is
   * closed the stream's next step throws {@code IllegalStateException("MemDB is closed")}.
   *
   * @param lower inclusive lower bound, null for none
   * @param upper exclusive upper bound, null for none
   * @return a stream of entries
   * @throws IllegalStateException if the buffer is closed
   */
  public Stream<Entry> entries(byte[] lower, byte[] upper) {
    return Ranges.stream(iterator(lower, upper));
  }

  /**
   * Takes a read view as of the start of the outermost open stage (or of now, if none is open).
   *
   * @return the snapshot
   */
  public Snapshot snapshot() {
    lock.lock();
    try {
      gate.checkOpen();
      return new SnapshotView(store);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Visits each key whose current value was written in stage {@code handle} or later, newest first
   * (client-go InspectStage). The visitor runs under the write lock and must not write.
   *
   * @param handle an open stage
   * @param visitor receives copies of key and value
   * @throws NullPointerException if {@code visitor} is null
   * @throws IllegalStateException if {@code handle} is not an open stage, or the visitor writes
   */
  public void inspectStage(int handle, StageVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    withCallback(
        () -> {
          store.stages().inspect(handle, visitor);
          return null;
        });
  }

  /**
   * Returns the newest version of a key's value, among those still in its history, that satisfies a
   * predicate.
   *
   * @param key the key
   * @param predicate tested on copies, newest first; must not write
   * @return a copy of that version, or null if none matches or the key is absent
   * @throws NullPointerException if {@code key} or {@code predicate} is null
   */
  public byte[] selectValueHistory(byte[] key, Predicate<byte[]> predicate) {
    gate.checkOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(predicate, "predicate");
    return withCallback(() -> store.stages().selectValueHistory(key, predicate));
  }

  /**
   * Runs a call that hands control to the caller's code (a visitor, a predicate) under the write
   * lock, with every change to the buffer refused on this thread until it returns. Only the call
   * that set the ban lifts it: a nested call, refused, leaves it in place.
   */
  private <T> T withCallback(Supplier<T> call) {
    lock.lock();
    try {
      checkWritable();
      inCallback = true;
      try {
        return call.get();
      } finally {
        inCallback = false;
      }
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ counters

  /**
   * Tells whether the buffer holds a write that matters for commit (client-go Dirty).
   *
   * @return the dirty flag
   */
  public boolean isDirty() {
    return store.isDirty();
  }

  /**
   * Returns the number of live keys (client-go Len).
   *
   * @return keys with a value, a tombstone or flags
   */
  public long keyCount() {
    return store.keyCount();
  }

  /**
   * Returns Σ key length + current value length over live keys (client-go Size).
   *
   * @return bytes
   */
  public long dataSize() {
    return store.dataSize();
  }

  /**
   * Returns the off-heap bytes currently allocated from the operating system by this buffer.
   *
   * @return bytes; 0 before the first write
   */
  public long memoryFootprint() {
    gate.checkOpen();
    return store.memoryFootprint();
  }

  /**
   * Returns the buffer's counters, all taken at one moment.
   *
   * @return an immutable snapshot of blocks, bytes and counts
   */
  public MemDBStats stats() {
    lock.lock();
    try {
      gate.checkOpen();
      store.stages().finishRollback(); // the value log's usage once a rollback under way is done
      ArenaUsage n = store.nodeArena().usage();
      ArenaUsage v = store.valueArena().usage();
      return new MemDBStats(
          new MemDBStats.ArenaStats(
              n.blocks(), n.bytesAllocated(), n.bytesUsed(), n.bytesWasted(), n.bytesAhead()),
          new MemDBStats.ArenaStats(
              v.blocks(), v.bytesAllocated(), v.bytesUsed(), v.bytesWasted(), v.bytesAhead()),
          store.keyCount(),
          store.dataSize(),
          store.stages().depth(),
          store.readRetries(),
          store.readFallbacks());
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ settings

  /**
   * Sets the entry and buffer size limits.
   *
   * @param entryLimit limit on key plus value bytes of one write; 0 or {@code Long.MAX_VALUE} for
   *     none
   * @param bufferLimit limit on the data size; 0 or {@code Long.MAX_VALUE} for none
   */
  public void setEntrySizeLimit(long entryLimit, long bufferLimit) {
    long entry = MemDBOptions.normalizeLimit(entryLimit, "entry size limit");
    long buffer = MemDBOptions.normalizeLimit(bufferLimit, "buffer size limit");
    lock.lock();
    try {
      gate.checkOpen();
      store.writes().setLimits(entry, buffer);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets the listener told of {@link #memoryFootprint()} after an operation changed it. It is
   * called on the writing thread, under the write lock, once the operation is complete and the
   * buffer consistent: it is an after-the-fact notification and cannot veto the operation.
   *
   * <p>If the listener throws a {@link RuntimeException}, the operation (a write, a rollback, a
   * reset, a value discard) <b>stays applied</b> and the call throws {@link
   * FootprintListenerException} with the listener's exception as its cause; an {@link Error}
   * propagates as it is. To abort a transaction whose memory budget the listener found spent, catch
   * that exception and roll back: {@link #cleanup(int)} the statement, {@link
   * #revertToCheckpoint(Checkpoint)}, or {@link #reset()}. The listener is told again of the
   * footprint that rollback leaves.
   *
   * @param listener the listener, or null to remove it
   */
  public void setMemoryFootprintListener(LongConsumer listener) {
    lock.lock();
    try {
      gate.checkOpen();
      this.footprintListener = listener;
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ bulk operations

  /**
   * Empties the buffer and gives its memory back; invalidates snapshots and checkpoints.
   *
   * @throws FootprintListenerException if the footprint listener threw; the reset was applied
   */
  public void reset() {
    lock.lock();
    try {
      checkWritable();
      long before = store.memoryFootprint();
      long keys = store.keyCount();
      store.stages().reset();
      resetGeneration++;
      events.lifecycle("reset", before, keys);
      footprintChanged(before);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops all values and keeps keys and flags (client-go DiscardValues). Afterwards {@code get},
   * value reads of iterators and every write fail with {@link IllegalStateException} until {@link
   * #reset()}; {@code getFlags} and flag iteration keep working.
   *
   * @throws FootprintListenerException if the footprint listener threw; the discard was applied
   */
  public void discardValues() {
    lock.lock();
    try {
      checkWritable();
      long before = store.memoryFootprint();
      long keys = store.keyCount();
      store.stages().discardValues();
      events.lifecycle("discardValues", before, keys);
      footprintChanged(before);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives all off-heap memory back. Idempotent. Any later call fails with {@code
   * IllegalStateException("MemDB is closed")}.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (gate.isClosed()) {
        return;
      }
      if (inCallback) {
        throw new IllegalStateException("a visitor or predicate must not close the MemDB");
      }
      long before = store.memoryFootprint();
      long keys = store.keyCount();
      store.stages().close();
      events.lifecycle("close", before, keys);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return gate.isClosed()
        ? "MemDB#" + events.id() + "[closed]"
        : "MemDB#"
            + events.id()
            + "[keys="
            + store.keyCount()
            + ", dataSize="
            + store.dataSize()
            + ", footprint="
            + store.memoryFootprint()
            + "]";
  }

  // ------------------------------------------------------------------ helpers

  private void checkWritable() {
    gate.checkOpen();
    if (inCallback) {
      throw new IllegalStateException("a visitor or predicate must not write to the MemDB");
    }
  }

  /** Null flag operations are a caller's mistake, not "no operation": reject them up front. */
  private static FlagsOp[] checkOps(FlagsOp[] ops) {
    if (ops == null) {
      throw new NullPointerException("ops is null; pass no flag operations instead");
    }
    for (int i = 0; i < ops.length; i++) {
      if (ops[i] == null) {
        throw new NullPointerException("ops[" + i + "] is null");
      }
    }
    return ops;
  }

  private static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length > KeyTooLargeException.MAX_KEY_LENGTH) {
      throw new KeyTooLargeException(key.length);
    }
  }

  private static void checkKey(MemorySegment key) {
    Objects.requireNonNull(key, "key");
    if (key.byteSize() > KeyTooLargeException.MAX_KEY_LENGTH) {
      throw new KeyTooLargeException((int) Math.min(Integer.MAX_VALUE, key.byteSize()));
    }
  }

  /** The footprint before an operation, read only when a listener will want the comparison. */
  private long footprintBefore() {
    return footprintListener == null ? 0 : store.memoryFootprint();
  }

  private void footprintChanged(long before) {
    LongConsumer l = footprintListener;
    if (l == null) {
      return;
    }
    long after = store.memoryFootprint();
    if (after != before) {
      try {
        l.accept(after);
      } catch (RuntimeException e) {
        // After the fact: the operation stays applied, and the exception says so.
        throw new FootprintListenerException(after, e);
      }
    }
  }
}
