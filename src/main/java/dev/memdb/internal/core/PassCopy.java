package dev.memdb.internal.core;

import dev.memdb.internal.arena.Address;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.RecordLayout;
import dev.memdb.internal.vlog.ValueLog;
import java.lang.foreign.MemorySegment;

/**
 * The second phase of an iterator pass ({@link CursorReadAhead}): copies the keys and values of the
 * entries the walk captured into the pass's {@link CursorBatch}, runs of adjacent nodes and records
 * in one copy each, and validates them after the last copy. Static, so that the iterator stays one
 * object and every call inlines into the pass.
 *
 * <p><b>Ownership.</b> No state; the batch is the calling iterator's.
 */
final class PassCopy {
  private PassCopy() {}

  /**
   * The pass's second phase: copies the keys and values of the nodes the first phase added, then
   * validates each by its node's version, all behind one fence after the last copy. The entries are
   * independent of each other, so the processor overlaps their cache misses (record header, value
   * bytes) instead of waiting for each in turn, as it would inside the chain of links.
   *
   * <p>Keys first, then values. Entries whose nodes, or whose records, lie one after the other in
   * memory (a buffer filled in key order) are copied as one run: one copy of the bytes from the
   * first key (value) to the end of the last, headers between them included, in place of one copy
   * per entry, whose fixed cost (bounds and session checks, the copy stub's dispatch) outweighs a
   * short key's or value's bytes; scattered entries are copied one by one by the same loops.
   *
   * @return true if at least one entry remains to be returned; false (start again) if none does
   */
  static boolean copyEntries(
      Store store, CursorBatch b, MemorySegment s, MemorySegment[] vt, int e) {
    int keyed = copyKeys(store, b, s, e);
    if (keyed < b.count) {
      b.dropFrom(keyed);
    }
    int copied = keyed == 0 ? 0 : copyValues(store, b, s, vt, e);
    // A pass whose first run failed the check that sizes the arrays has dropped every entry: it
    // holds no result, and above all not the end of the range, which only the walk finds.
    int valid = b.firstChanged(s, 0, copied);
    return valid == b.count ? valid > 0 : keep(b, valid);
  }

  /** Whether entry {@code i + 1}'s node starts where entry {@code i}'s ends. */
  private static boolean adjacentNodes(CursorBatch b, int i) {
    return NodeLayout.at(b.node(i + 1))
        == NodeLayout.at(b.node(i)) + NodeLayout.size(b.keyLength(i));
  }

  /**
   * Copies the keys of the pass's entries, runs of adjacent nodes in one copy each.
   *
   * @return how many entries, from the first, have their key copied and may be kept
   */
  private static int copyKeys(Store store, CursorBatch b, MemorySegment s, int e) {
    int count = b.count;
    int i = 0;
    while (i < count) {
      int last = i;
      while (last + 1 < count && adjacentNodes(b, last)) {
        last++;
      }
      if (last > i) {
        long start = NodeLayout.keyAt(b.node(i));
        long span = NodeLayout.keyAt(b.node(last)) + b.keyLength(last) - start;
        if (span > b.keyRoom()) {
          int kept = trustRun(store, b, s, i, last, e);
          if (kept != COPIED) {
            return kept;
          }
          b.growKeysBy(span);
        }
        b.copyKeyRun(i, last, s, start, (int) span);
        i = last + 1;
        continue;
      }
      int kept = copyKey(store, b, s, i, e);
      if (kept != COPIED) {
        return kept;
      }
      i++;
    }
    return count;
  }

  /**
   * Before a run's span sizes an array: validates entries {@code 0..last} (the run's node
   * references, key lengths and record addresses) and the epoch.
   *
   * @return {@link #COPIED} if the span may be trusted, else how many entries may be kept: those
   *     before the run, at most, whose copies are done
   */
  private static int trustRun(Store store, CursorBatch b, MemorySegment s, int i, int last, int e) {
    int kept = trustedPrefix(store, b, s, last, e);
    return kept > last ? COPIED : Math.min(kept, i);
  }

  /**
   * Copies one entry's key, growing the key array first if it must.
   *
   * @return {@link #COPIED}, or, if entry {@code i} could not be trusted to size the array, how
   *     many entries before it may be kept
   */
  private static int copyKey(Store store, CursorBatch b, MemorySegment s, int i, int e) {
    // An entry past a changed node may be made of any bytes: before a length read from it sizes
    // an array, the entries up to it are validated, and so is the epoch (a moved node block's
    // frozen or reused bytes). A copy into room the batch already has needs neither: the
    // validation after the copies discards a torn one.
    if (!b.hasKeyRoom(i)) {
      int kept = trustedPrefix(store, b, s, i, e);
      if (kept <= i) {
        return kept;
      }
      b.growKeys(i);
    }
    b.copyKey(i, s, NodeLayout.keyAt(b.node(i)));
    return COPIED;
  }

  /**
   * Copies the values of the pass's entries, runs of adjacent records in one block in one copy
   * each, until the pass's value budget is spent.
   *
   * @return how many entries, from the first, have their value copied: the validation keeps those
   *     still valid and drops the rest
   */
  private static int copyValues(
      Store store, CursorBatch b, MemorySegment s, MemorySegment[] vt, int e) {
    ValueLog vlog = store.vlog;
    int count = b.count;
    boolean exact = false; // a run ended early: look for runs header by header (runOfRecords)
    int i = 0;
    while (i < count) {
      long record = b.record(i);
      if (record == CursorBatch.NO_RECORD) {
        b.noValueBytes(i);
      } else {
        MemorySegment block = vlog.block(vt, record);
        int len = vlog.length(block, record);
        if (len < 0) {
          return i; // not a record: its node changed, or a node before it did
        }
        b.setValueLength(i, len);
        int last = runOfRecords(b, vlog, block, i, count, record, len, exact);
        if (last > i) {
          long start = RecordLayout.valueOffset(Address.offset(record), len);
          long span = Address.offset(b.record(last)) - start; // through the last header
          if (span > b.valueRoom()) {
            int kept = trustRun(store, b, s, i, last, e);
            if (kept != COPIED) {
              return kept;
            }
            b.growValues(span);
          }
          int ran = b.copyValueRun(i, last, block, start, (int) span);
          exact |= ran < last;
          i = ran;
        } else {
          int kept = copyValue(store, b, s, vlog, block, record, len, i, e);
          if (kept != COPIED) {
            return kept;
          }
        }
      }
      if (b.valueBytes() >= CursorReadAhead.MAX_PASS_VALUE_BYTES && i + 1 < count) {
        return i + 1; // large values are not read far ahead
      }
      i++;
    }
    return count;
  }

  /**
   * The last entry of the run of records that may start at entry {@code i}: each later record lies
   * in the same block, after the one before, close enough to hold a value that starts where that
   * record ends, up to the value budget. Only the second record's header is read here, so that
   * records which are not adjacent (a key written twice in a row) do not start a run; {@link
   * CursorBatch#copyValueRun} reads the others from its copy and ends the run where one does not
   * fit. Once a run ended early ({@code exact}), every header is read here, so a pass copies at
   * most one span in vain.
   */
  private static int runOfRecords(
      CursorBatch b,
      ValueLog vlog,
      MemorySegment block,
      int i,
      int count,
      long record,
      int len,
      boolean exact) {
    int last = i;
    long end = Address.offset(record);
    long bytes = len;
    while (last + 1 < count && bytes < CursorReadAhead.MAX_PASS_VALUE_BYTES) {
      long next = b.record(last + 1);
      if (next == CursorBatch.NO_RECORD || Address.block(next) != Address.block(record)) {
        break;
      }
      // The length the next value has if it starts where this record ends: the addresses alone
      // rule out scattered records, before any header is read.
      long gap = Address.offset(next) - RecordLayout.HEADER_SIZE - end;
      if (gap < 0 || gap > CursorReadAhead.MAX_PASS_VALUE_BYTES) {
        break;
      }
      if ((exact || last == i) && vlog.length(block, next) != gap) {
        break;
      }
      last++;
      end = Address.offset(next);
      bytes += gap + RecordLayout.HEADER_SIZE;
    }
    return last;
  }

  /**
   * Copies one entry's value, growing the value array first if it must (see {@link #copyKey}).
   *
   * @return {@link #COPIED}, or, if entry {@code i} could not be trusted to size the array, how
   *     many entries before it may be kept
   */
  private static int copyValue(
      Store store,
      CursorBatch b,
      MemorySegment s,
      ValueLog vlog,
      MemorySegment block,
      long record,
      int len,
      int i,
      int e) {
    if (!b.hasValueRoom(len)) {
      int kept = trustedPrefix(store, b, s, i, e);
      if (kept <= i) {
        return kept;
      }
      b.growValues(len);
    }
    byte[] values = b.valueRoom(i, len);
    vlog.copy(block, record, len, values, b.valueOffset(i));
    return COPIED;
  }

  /** What {@link #copyValue} returns when it copied the value. */
  private static final int COPIED = -1;

  /**
   * Before a length read from entry {@code i} sizes an array: {@code i + 1} if entries {@code 0..i}
   * and the epoch are still valid, else how many entries before {@code i} may be kept.
   */
  private static int trustedPrefix(Store store, CursorBatch b, MemorySegment s, int i, int e) {
    int valid = b.firstChanged(s, 0, i + 1);
    return valid == i + 1 && !store.gate.valid(e) ? i : valid;
  }

  /** Keeps the {@code n} entries copied before one that failed; false if there are none. */
  private static boolean keep(CursorBatch b, int n) {
    if (n == 0) {
      return false;
    }
    b.truncate(n);
    return true;
  }
}
