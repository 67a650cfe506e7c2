package dev.memdb.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/** Cache-line padding before the epoch (superclass fields are laid out first). */
abstract class ReadGatePad {
  long p01, p02, p03, p04, p05, p06, p07, p08;
}

/** The epoch every reader loads twice per operation. */
abstract class ReadGateEpoch extends ReadGatePad {
  int epoch;
}

/**
 * The buffer-wide part of the read protocol: the write lock, the bulk epoch and the closed state.
 *
 * <p>Point writes change single nodes and are validated node by node; bulk changes (reset,
 * discardValues, close, and the rollback of a stage or checkpoint, which must look atomic across
 * many keys) instead make the epoch odd for their duration. Every reader reads the epoch once when
 * it starts and validates it once when it ends; a reader that finds it odd waits for the bulk
 * change by spinning briefly and then yielding (a revert excepted: readers compute its result
 * themselves). Closing leaves the epoch odd for ever, so no reader starts again on freed memory.
 */
public final class ReadGate extends ReadGateEpoch {
  /** Failed optimistic attempts after the first one before a reader takes the write lock. */
  static final int OPTIMISTIC_ATTEMPTS = 64;

  private static final VarHandle EPOCH;

  static {
    try {
      EPOCH =
          MethodHandles.lookup()
              .findVarHandle(ReadGateEpoch.class, "epoch", int.class)
              .withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // Padding after the epoch, so writer-side fields of neighbouring objects stay off its line.
  long q01, q02, q03, q04, q05, q06, q07, q08;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final LongAdder retries = new LongAdder();
  private final LongAdder fallbacks = new LongAdder();

  private volatile boolean closed;

  /** Read limit meaning "the current state". */
  static final long NO_LIMIT = Long.MAX_VALUE;

  /** The target of the revert under way, or {@link #NO_LIMIT}; set only while the epoch is odd. */
  private volatile long revertTarget = NO_LIMIT;

  /** Creates an open gate. */
  public ReadGate() {}

  /**
   * Returns the write lock that serializes writers (and readers that gave up optimism).
   *
   * @return the lock
   */
  public ReentrantLock writeLock() {
    return writeLock;
  }

  /** Reader: the epoch at the start of a read; odd means a bulk change is under way. */
  int epochAcquire() {
    return (int) EPOCH.getAcquire((ReadGateEpoch) this);
  }

  /**
   * Reader: the epoch once the buffer can be read: no bulk change under way, or a revert, whose
   * result readers compute themselves (see {@link #readLimit(int)}). Any other bulk change holds
   * the write lock for its whole duration, so taking the lock would wait just as long; spinning
   * (then yielding) keeps the reader off the lock queue, where a writer that re-acquires the lock
   * at once could starve it.
   *
   * @return an even epoch
   * @throws IllegalStateException if the buffer is closed
   */
  int awaitReadableEpoch() {
    for (int spins = 0; ; spins++) {
      int e = epochAcquire();
      if ((e & 1) == 0 || revertTarget != NO_LIMIT) {
        return e;
      }
      checkOpen();
      if (spins < 256) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /**
   * Reader: the value-log position reads must be made as of, for the epoch read at the start. While
   * a revert runs, the buffer's state is already the post-revert one (its counters were published
   * when it started): a reader sees each key as of the revert's target position, which is exactly
   * what the revert will leave, whether or not it has reached that key yet.
   *
   * @param e the epoch from {@link #awaitReadableEpoch()}
   * @return {@link #NO_LIMIT} or the position of the revert under way
   */
  long readLimit(int e) {
    return (e & 1) == 0 ? NO_LIMIT : revertTarget;
  }

  /**
   * Writer: starts a revert to {@code target}: readers switch to reading as of it. The target is
   * stored before the release store of the odd epoch, so a reader that sees the epoch sees it.
   *
   * @param target the position the value log is reverted to
   */
  void beginRevert(long target) {
    revertTarget = target;
    EPOCH.setRelease((ReadGateEpoch) this, (int) EPOCH.get((ReadGateEpoch) this) + 1);
    VarHandle.storeStoreFence();
  }

  /** Writer: ends a revert. A reader still using the target fails its epoch check. */
  void endRevert() {
    revertTarget = NO_LIMIT;
    endBulk();
  }

  /** Reader: whether no bulk change started since {@code e} was read. */
  boolean valid(int e) {
    VarHandle.loadLoadFence();
    return (int) EPOCH.get((ReadGateEpoch) this) == e;
  }

  /** Writer: starts a bulk change; readers starting now wait, readers under way retry. */
  void beginBulk() {
    // Release, so a reader that sees this odd epoch also sees every earlier store (in particular
    // the cleared revert target of a revert that ended before).
    EPOCH.setRelease((ReadGateEpoch) this, (int) EPOCH.get((ReadGateEpoch) this) + 1);
    VarHandle.storeStoreFence();
  }

  /**
   * The node arena moved to a larger block: every read that started before fails its final {@link
   * #valid} check and starts again on the new block. The parity, and so the state readers see, is
   * unchanged; readers never wait for a move.
   */
  void relocated() {
    EPOCH.setRelease((ReadGateEpoch) this, (int) EPOCH.get((ReadGateEpoch) this) + 2);
    // The old block is freed and may be reused by later stores; a reader that sees those bytes
    // must see the new epoch too, and a release store orders only what came before it.
    VarHandle.storeStoreFence();
  }

  /** Writer: ends a bulk change and publishes it. */
  void endBulk() {
    EPOCH.setRelease((ReadGateEpoch) this, (int) EPOCH.get((ReadGateEpoch) this) + 1);
  }

  /**
   * Throws if the buffer is closed.
   *
   * @throws IllegalStateException with "MemDB is closed"
   */
  public void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  /**
   * Tells whether {@link #close()} ran.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /** Writer: closes the gate for ever (the epoch stays odd). */
  void close() {
    closed = true;
    beginBulk();
  }

  static IllegalStateException closedException() {
    return new IllegalStateException("MemDB is closed");
  }

  /** Counts a reader that had to start again. */
  void retried() {
    retries.increment();
  }

  /** Counts a reader that took the write lock. */
  void fellBack() {
    fallbacks.increment();
  }

  long retries() {
    return retries.sum();
  }

  long fallbacks() {
    return fallbacks.sum();
  }
}
