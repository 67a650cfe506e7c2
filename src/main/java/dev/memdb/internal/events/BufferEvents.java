package dev.memdb.internal.events;

import dev.memdb.internal.arena.ArenaListener;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import jdk.jfr.FlightRecorder;

/**
 * One buffer's event sink: JFR events and trace logging for block growth and release, rollbacks,
 * resets and closes. Called by the writer only, never on a per-operation path.
 *
 * <p>Logging goes through {@link System.Logger} (java.base, no dependency): by default to
 * java.util.logging, where {@code TRACE} is {@code FINER} and nothing is printed at the default
 * level; to SLF4J or Log4j when the application installs a bridge. Messages are built only after
 * {@code isLoggable}, so disabled logging costs one level check.
 */
public final class BufferEvents implements ArenaListener {
  /** The logger's name (README: configure it, or {@code dev.memdb}, to see memdb's logs). */
  private static final Logger LOG = System.getLogger("dev.memdb.MemDB");

  private static final AtomicLong IDS = new AtomicLong();

  /** Set once this JVM's memdb event classes are initialized (see {@link #BufferEvents()}). */
  private static volatile boolean eventClassesReady;

  private final long id = IDS.incrementAndGet();
  private LongSupplier footprint = () -> 0;

  /**
   * Creates the sink of a new buffer, with a fresh id.
   *
   * <p>No event object is made while JFR has not started in this JVM ({@link
   * FlightRecorder#isInitialized()}): the first use of any JFR event class starts JFR's metadata
   * repository, 0.2-0.6 s on the 2-core machine, and memdb's first block event used to do it under
   * the write lock of the process's first transaction, with every writer queued behind it. Once JFR
   * runs (a recording was started), the first buffer created initializes memdb's event classes
   * here, on the creating thread, which holds no lock.
   */
  public BufferEvents() {
    if (!eventClassesReady && jfrStarted()) {
      initializeEventClasses();
    }
  }

  /** Whether JFR runs in this JVM: until then no recording exists, so no event is wanted. */
  private static boolean jfrStarted() {
    return FlightRecorder.isInitialized();
  }

  private static void initializeEventClasses() {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    for (Class<?> c :
        List.of(
            BlockAllocatedEvent.class,
            BlockFreedEvent.class,
            RollbackEvent.class,
            BufferLifecycleEvent.class)) {
      try {
        lookup.ensureInitialized(c);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e); // same package: cannot happen
      }
    }
    eventClassesReady = true;
  }

  /**
   * Tells the sink how to read the buffer's footprint (the buffer is built after its sink).
   *
   * @param footprint reads both arenas' bytes allocated
   */
  public void footprintFrom(LongSupplier footprint) {
    this.footprint = footprint;
  }

  /**
   * Returns the buffer's id, unique in this JVM.
   *
   * @return the id events carry
   */
  public long id() {
    return id;
  }

  @Override
  public void blockAllocated(String arena, long bytes, long arenaAllocated) {
    block(true, false, "allocated", arena, bytes, arenaAllocated);
  }

  @Override
  public void blockFreed(String arena, long bytes, long arenaAllocated) {
    block(false, false, "freed", arena, bytes, arenaAllocated);
  }

  @Override
  public void blockPrepared(String arena, long bytes, long arenaAllocated) {
    block(true, true, "prepared ahead", arena, bytes, arenaAllocated);
  }

  @Override
  public void preparedBlockDropped(String arena, long bytes, long arenaAllocated) {
    block(false, true, "dropped a prepared", arena, bytes, arenaAllocated);
  }

  private void block(
      boolean allocated,
      boolean ahead,
      String what,
      String arena,
      long bytes,
      long arenaAllocated) {
    if (jfrStarted()) {
      BlockEvent e = allocated ? new BlockAllocatedEvent() : new BlockFreedEvent();
      if (e.shouldCommit()) {
        e.buffer = id;
        e.arena = arena;
        e.ahead = ahead;
        e.size = bytes;
        e.arenaAllocated = arenaAllocated;
        e.footprint = footprint.getAsLong();
        e.commit();
      }
    }
    if (LOG.isLoggable(Level.TRACE)) {
      LOG.log(
          Level.TRACE,
          "memdb#"
              + id
              + " "
              + arena
              + " arena: "
              + what
              + " a block of "
              + bytes
              + " bytes ("
              + arenaAllocated
              + " in the arena now)");
    }
  }

  /**
   * Starts timing a rollback; pass the result to {@link #rolledBack}.
   *
   * @return an event to finish, or null when no recording wants it
   */
  public RollbackEvent beginRollback() {
    if (!jfrStarted()) {
      return null;
    }
    RollbackEvent e = new RollbackEvent();
    if (!e.isEnabled()) {
      return null;
    }
    e.begin();
    return e;
  }

  /**
   * Finishes a rollback event.
   *
   * @param e the event from {@link #beginRollback()}, or null
   * @param kind "cleanup" or "revertToCheckpoint"
   * @param records records undone
   * @param footprintBefore the footprint before the rollback
   */
  public void rolledBack(RollbackEvent e, String kind, long records, long footprintBefore) {
    if (e == null || records == 0) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      long after = footprint.getAsLong();
      e.buffer = id;
      e.kind = kind;
      e.recordsUndone = records;
      e.bytesFreed = footprintBefore - after;
      e.footprint = after;
      e.commit();
    }
  }

  /**
   * Reports a reset, discardValues or close.
   *
   * @param action what happened
   * @param footprintBefore the footprint before
   * @param keys live keys before
   */
  public void lifecycle(String action, long footprintBefore, long keys) {
    if (jfrStarted()) {
      BufferLifecycleEvent e = new BufferLifecycleEvent();
      if (e.shouldCommit()) {
        e.buffer = id;
        e.action = action;
        e.bytesFreed = footprintBefore - footprint.getAsLong();
        e.keys = keys;
        e.commit();
      }
    }
    if (LOG.isLoggable(Level.TRACE)) {
      LOG.log(
          Level.TRACE,
          "memdb#"
              + id
              + " "
              + action
              + ": "
              + keys
              + " keys, "
              + (footprintBefore - footprint.getAsLong())
              + " bytes freed");
    }
  }
}
