package dev.memdb.internal.core;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;
import static dev.memdb.internal.layout.NodeLayout.NO_VALUE;

import dev.memdb.EntryTooLargeException;
import dev.memdb.FlagsOp;
import dev.memdb.KeyFlag;
import dev.memdb.TxnTooLargeException;
import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The write path of set, delete and updateFlags (reference §3.2), run under the write lock.
 *
 * <p>Order of work, so that a failure leaves the buffer exactly as it was: find the key; check the
 * limits; allocate the node and the value record (an allocation failure rolls the arenas back);
 * only then change what readers can see, inside one change window (the new node's parent, or the
 * existing node) that also covers the counters — the write's linearization point.
 */
public final class WritePath {
  private static final int CONSTRAINT_CHECK = KeyFlag.NEED_CONSTRAINT_CHECK_IN_PREWRITE.mask();
  private static final int PERSISTENT = RevertRule.PERSISTENT;

  private final Store store; // immutable

  // Writer-only (under the write lock).
  private long entrySizeLimit = Long.MAX_VALUE;
  private long bufferSizeLimit = Long.MAX_VALUE;
  private MemorySegment keyScratch = MemorySegment.ofArray(new byte[64]);

  WritePath(Store store) {
    this.store = store;
  }

  /**
   * Sets the limits; {@code Long.MAX_VALUE} means none.
   *
   * @param entryLimit key plus value bytes of one write
   * @param bufferLimit data size of the buffer
   */
  public void setLimits(long entryLimit, long bufferLimit) {
    this.entrySizeLimit = entryLimit;
    this.bufferSizeLimit = bufferLimit;
  }

  /**
   * Writes a value given as segments (or, with {@code value == null}, only flags).
   *
   * @param key the key, at most 65,535 bytes
   * @param value the value, empty for a tombstone, null for a flags-only write
   * @param ops flag operations, applied left to right
   */
  public void write(MemorySegment key, MemorySegment value, FlagsOp[] ops) {
    long keyLength = key.byteSize();
    MemorySegment k = scratchFor(keyLength);
    // The caller's key is read exactly once: searching and then copying it could link a node out
    // of order if another thread changed those bytes in between.
    MemorySegment.copy(key, 0, k, 0, keyLength);
    write(k, keyLength, null, value, ops);
  }

  /**
   * Writes a value given as arrays (or, with {@code value == null}, only flags), allocating
   * nothing.
   *
   * @param key the key, at most 65,535 bytes
   * @param value the value, empty for a tombstone, null for a flags-only write
   * @param ops flag operations, applied left to right
   */
  public void write(byte[] key, byte[] value, FlagsOp[] ops) {
    MemorySegment k = scratchFor(key.length);
    MemorySegment.copy(key, 0, k, ValueLayout.JAVA_BYTE, 0, key.length);
    write(k, key.length, value, null, ops);
  }

  private MemorySegment scratchFor(long keyLength) {
    if (keyScratch.byteSize() < keyLength) {
      keyScratch =
          MemorySegment.ofArray(new byte[(int) Math.max(keyLength, keyScratch.byteSize() * 2)]);
    }
    return keyScratch;
  }

  /**
   * The key flags after a write's flag operations, applied in order. {@code MemDB} rejected null
   * elements, but the caller owns the array and may change it meanwhile: a null met here is skipped
   * rather than thrown halfway through a write under the lock.
   *
   * @param keyFlags the flags before
   * @param ops the operations
   * @return the flags after
   */
  static int applied(int keyFlags, FlagsOp[] ops) {
    int f = keyFlags;
    for (FlagsOp op : ops) {
      if (op != null) {
        f = op.apply(f);
      }
    }
    return f;
  }

  /** The write itself; the key is in the writer's scratch, the value in one of two forms. */
  private void write(
      MemorySegment key,
      long keyLength,
      byte[] valueArray,
      MemorySegment valueSegment,
      FlagsOp[] ops) {
    Store st = store;
    assert st.gate.writeLock().isHeldByCurrentThread() : "write without the write lock";
    st.checkValues();
    var tree = st.tree;
    boolean hasValue = valueArray != null || valueSegment != null;
    long valueLength =
        valueArray != null ? valueArray.length : valueSegment != null ? valueSegment.byteSize() : 0;
    if (hasValue) {
      st.stages.finishRollback(); // a value write appends to the log a rollback has yet to cut
    }
    long node = tree.search(key, keyLength);
    if (!hasValue) {
      st.stages.settleForFlagsWrite(node); // start from the state readers see
    }
    boolean fresh = node == NO_NODE;
    int oldFlags = fresh ? 0 : tree.flags(node);
    boolean revived = !fresh && (oldFlags & NodeLayout.DELETED_BIT) != 0;
    long current = fresh ? NO_VALUE : tree.value(node);
    int oldLength = current == NO_VALUE ? 0 : st.vlog.lengthPlain(current);

    if (hasValue && keyLength + valueLength > entrySizeLimit) {
      throw new EntryTooLargeException(entrySizeLimit, keyLength + valueLength);
    }
    long dataSize = st.counters.dataSizePlain();
    long growth = (fresh || revived ? keyLength : 0) + (hasValue ? valueLength - oldLength : 0);
    if (growth > 0 && dataSize + growth > bufferSizeLimit) {
      throw new TxnTooLargeException(bufferSizeLimit, dataSize + growth);
    }

    int keyFlags = revived ? 0 : oldFlags & NodeLayout.KEY_FLAGS_MASK;
    if (hasValue) {
      keyFlags &= ~CONSTRAINT_CHECK; // a temporary flag every value write clears (§2.2)
    }
    keyFlags = applied(keyFlags, ops);
    boolean dirty =
        st.counters.dirtyPlain() || st.stages.depth() == 0 || (keyFlags & PERSISTENT) != 0;
    boolean inPlace =
        hasValue
            && current != NO_VALUE
            && oldLength == valueLength
            && oldLength > 0
            && current > st.stages.innermostStartPosition();

    // The node block's position before a new node, to undo it if the value cannot be appended.
    long nodeMark = st.nodeArena.mark();
    if (fresh) {
      node = tree.allocate(key, keyLength);
    }
    long record = NO_VALUE;
    if (hasValue && !inPlace) {
      try {
        record =
            valueArray != null
                ? st.vlog.append(node, current, valueArray)
                : st.vlog.append(node, current, valueSegment);
      } catch (RuntimeException | Error e) {
        if (fresh) {
          st.nodeArena.rollback(nodeMark);
        }
        throw e;
      }
    }
    st.nodeArena.settle();

    long keyCount = st.counters.keyCountPlain() + (fresh || revived ? 1 : 0);
    if (fresh) {
      // The node is unreachable until linked: plain set-up, published by the parent's window.
      tree.setFlags(node, NodeLayout.RED_BIT | keyFlags);
      if (record != NO_VALUE) {
        tree.setValue(node, record);
      }
      tree.beginLink(node);
      tree.link(node);
      st.counters.publish(keyCount, dataSize + growth, dirty);
      tree.endLink();
      tree.rebalanceAfterInsert(node);
    } else {
      tree.beginChange(node);
      tree.setFlags(node, (oldFlags & NodeLayout.RED_BIT) | keyFlags);
      if (inPlace) {
        if (valueArray != null) {
          st.vlog.overwrite(current, valueArray);
        } else {
          st.vlog.overwrite(current, valueSegment);
        }
      } else if (record != NO_VALUE) {
        tree.setValue(node, record);
      }
      st.counters.publish(keyCount, dataSize + growth, dirty);
      tree.endChange(node);
      if (!hasValue) {
        st.stages.flagsWritten(node, oldFlags, keyFlags); // a rollback still counting may care
      }
    }
  }
}
