package dev.memdb.internal.core;

import dev.memdb.internal.layout.ReadOutcome;

/**
 * The one loop every lock-free read runs — point reads, flag reads and iterator passes: read the
 * epoch (waiting out a reset, discardValues or close), make one optimistic attempt, validate the
 * epoch; start again on any doubt; after {@link ReadGate#OPTIMISTIC_ATTEMPTS} attempts, make one
 * attempt under the write lock so every read finishes.
 *
 * <p>A failed check, and an {@link IndexOutOfBoundsException} or {@link IllegalStateException} from
 * a segment (a stale address, a block freed by a rollback or a close), mean "start again"; after a
 * close the retry answers "MemDB is closed". The loop is small so the JIT inlines it into each
 * caller, where the attempt's call has one receiver type and inlines too: no allocation, no
 * megamorphic call.
 */
final class OptimisticRead {
  /** One read's attempt, made lock-free or under the write lock. */
  interface Attempt {
    /**
     * Checks that must hold before each attempt and that answer with their own exception (a stale
     * snapshot, discarded values). Runs outside the catch of stale reads.
     */
    void precheck();

    /**
     * Makes one attempt.
     *
     * @param readLimit the value-log position reads are made as of: {@link ReadGate#NO_LIMIT}, or
     *     the target of a revert under way (see {@link ReadGate#readLimit(int)})
     * @param epoch the epoch read at the start
     * @return the result, or {@link ReadOutcome#RETRY} if the attempt may have seen a change
     */
    long attempt(long readLimit, int epoch);
  }

  private OptimisticRead() {}

  /**
   * Runs a read to completion.
   *
   * @param gate the buffer's gate
   * @param a the attempt
   * @return the attempt's result; never {@link ReadOutcome#RETRY}
   */
  static long run(ReadGate gate, Attempt a) {
    for (int attempt = 0; ; attempt++) {
      a.precheck();
      int e = gate.awaitReadableEpoch();
      try {
        long r = a.attempt(gate.readLimit(e), e);
        if (r != ReadOutcome.RETRY && gate.valid(e)) {
          return r;
        }
      } catch (IndexOutOfBoundsException | IllegalStateException stale) {
        gate.checkOpen();
      }
      if (attempt >= ReadGate.OPTIMISTIC_ATTEMPTS) {
        return underLock(gate, a);
      }
      gate.retried();
      Thread.onSpinWait();
    }
  }

  private static long underLock(ReadGate gate, Attempt a) {
    gate.fellBack();
    var lock = gate.writeLock();
    lock.lock();
    try {
      gate.checkOpen();
      a.precheck();
      // Odd only while a rollback lets writers in between its chunks: read as of its target.
      int e = gate.epochAcquire();
      long r = a.attempt(gate.readLimit(e), e);
      if (r == ReadOutcome.RETRY) {
        throw new IllegalStateException("memdb: inconsistent tree under the write lock");
      }
      return r;
    } finally {
      lock.unlock();
    }
  }
}
