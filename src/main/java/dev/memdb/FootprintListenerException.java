package dev.memdb;

/**
 * The memory footprint listener threw; the operation it was told of <b>was applied</b>. This is the
 * one {@link MemDBException} that does not leave the buffer as it was: the listener is an
 * after-the-fact notification, called once the operation is complete and the buffer consistent, so
 * the write, rollback, reset or value discard it reports stays in place. The listener's exception
 * is the {@linkplain #getCause() cause}.
 *
 * <p>To abort the transaction (a listener that throws because a memory budget is spent), catch this
 * exception and roll back yourself: {@link MemDB#cleanup(int)} for the running statement, {@link
 * MemDB#revertToCheckpoint(Checkpoint)}, or {@link MemDB#reset()} for the whole transaction. An
 * {@link Error} thrown by the listener is not wrapped: it propagates as it is, after the operation
 * was applied.
 *
 * <p><b>Thread safety:</b> immutable once thrown; it may be passed to and read from any thread.
 */
public final class FootprintListenerException extends MemDBException {
  private static final long serialVersionUID = 1L;

  /** The footprint the listener was told of. */
  private final long footprint;

  /**
   * Creates the exception.
   *
   * @param footprint the memory footprint the listener was called with
   * @param cause what the listener threw
   */
  public FootprintListenerException(long footprint, RuntimeException cause) {
    super(
        "memory footprint listener threw on a footprint of "
            + footprint
            + " bytes; the operation was applied",
        cause);
    this.footprint = footprint;
  }

  /**
   * Returns the footprint the listener was told of.
   *
   * @return bytes, as {@link MemDB#memoryFootprint()} right after the operation
   */
  public long footprint() {
    return footprint;
  }
}
