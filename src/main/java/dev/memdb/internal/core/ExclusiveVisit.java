package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;

import dev.memdb.EntryView;
import dev.memdb.EntryViewVisitor;
import dev.memdb.KeyFlags;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.ReadOutcome;
import dev.memdb.internal.tree.Keys;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An exclusive visit of a range ({@link Store#visitExclusive}): its thread holds the write lock
 * throughout, so neither the tree nor the value log can change under it, and each entry is read in
 * place with plain reads, without the versions, validations and read-ahead copies a lock-free
 * iterator needs. The visit is also the view it hands to the visitor, re-pointed at each entry.
 *
 * <p><b>Ownership.</b> Confined to the visiting thread, which holds the write lock for the object's
 * whole use; {@link #live} turns every accessor off once the visit is over.
 */
final class ExclusiveVisit implements EntryView {
  private final Store store;
  private final MemorySegment nodes; // immutable: the node block cannot move during the visit
  private final MemorySegment[] blocks; // immutable: the value log's table, likewise

  private boolean live;
  private long node;
  private int keyLength;
  private int flags;
  private MemorySegment block; // the current entry's value block
  private long record;
  private int valueLength;

  private ExclusiveVisit(Store store, MemorySegment nodes) {
    this.store = store;
    this.nodes = nodes;
    this.blocks = store.vlog.arena().blocksAcquire();
  }

  /**
   * Writer: visits each key of {@code [lower, upper)} that has a value (tombstones included), in
   * ascending order. REQUIRES: the caller holds the write lock, no rollback is under way, and the
   * visitor does not write.
   */
  static void run(Store store, byte[] lower, byte[] upper, EntryViewVisitor visitor) {
    MemorySegment s = store.nodeArena.segmentPlain();
    if (s == null) {
      return; // the tree never had a node
    }
    ExclusiveVisit view = new ExclusiveVisit(store, s);
    long n = store.reader.seek(s, lower == null ? null : MemorySegment.ofArray(lower), true, true);
    if (n == ReadOutcome.RETRY) {
      // Only a change under way makes a seek start again, and none can be under the write lock.
      throw new IllegalStateException("memdb: inconsistent tree under the write lock");
    }
    MemorySegment end = upper == null ? null : MemorySegment.ofArray(upper);
    long endLength = upper == null ? 0 : upper.length;
    long endPrefix = upper == null ? 0 : Keys.prefix(end, endLength);
    view.live = true;
    try {
      view.visitFrom(n, end, endLength, endPrefix, visitor);
    } finally {
      view.live = false;
    }
  }

  /** Shows the entries from node {@code first} on, following the in-order links, up to the end. */
  private void visitFrom(
      long first, MemorySegment end, long endLength, long endPrefix, EntryViewVisitor visitor) {
    MemorySegment s = nodes;
    for (long n = first; n != NO_NODE; n = NodeLayout.nextPlain(s, n)) {
      long w = NodeLayout.headerPlain(s, n);
      int length = NodeLayout.keyLengthOf(w);
      if (end != null && Keys.compare(end, endLength, endPrefix, s, n, length) <= 0) {
        return;
      }
      int f = NodeLayout.flagsOf(w);
      long r = NodeLayout.valuePlain(s, n);
      // Like iterator(): rolled-back and flag-only keys are not shown, tombstones are.
      if (NodeLayout.showsValue(f, r)) {
        show(n, length, f, r);
        visitor.visit(this);
      }
    }
  }

  private void show(long n, int length, int f, long r) {
    node = n;
    keyLength = length;
    flags = f;
    record = r;
    block = store.vlog.block(blocks, r);
    valueLength = store.vlog.length(block, r);
  }

  private void checkLive() {
    if (!live) {
      throw new IllegalStateException(
          "an EntryView is valid only during the visit call that received it");
    }
  }

  @Override
  public int keyLength() {
    checkLive();
    return keyLength;
  }

  @Override
  public int key(byte[] dst) {
    Objects.requireNonNull(dst, "dst");
    checkLive();
    if (keyLength <= dst.length) {
      NodeLayout.copyKey(nodes, node, dst, keyLength);
    }
    return keyLength;
  }

  @Override
  public byte[] key() {
    checkLive();
    return store.tree.key(node);
  }

  @Override
  public int valueLength() {
    checkLive();
    return valueLength;
  }

  @Override
  public int value(byte[] dst) {
    Objects.requireNonNull(dst, "dst");
    checkLive();
    if (valueLength <= dst.length) {
      store.vlog.copy(block, record, valueLength, dst, 0);
    }
    return valueLength;
  }

  @Override
  public byte[] value() {
    checkLive();
    return store.vlog.readPlain(record);
  }

  @Override
  public KeyFlags flags() {
    checkLive();
    return KeyFlags.of(flags & NodeLayout.KEY_FLAGS_MASK);
  }
}
