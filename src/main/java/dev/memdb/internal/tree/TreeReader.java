package dev.memdb.internal.tree;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;

import dev.memdb.internal.arena.SingleBlockArena;
import dev.memdb.internal.layout.NodeLayout;
import dev.memdb.internal.layout.ReadOutcome;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Lock-free reads of the red-black tree by optimistic lock coupling (Leis et al., "The ART of
 * Practical Synchronization").
 *
 * <p>A reader reads a node's version before using the node (an odd version means the writer is
 * changing it: give up), reads the fields it needs, and after reading the next node's version
 * checks that the current node's version has not moved: then the pointer it followed was a real
 * link at a moment when both nodes were stable. Rotations change only the nodes whose versions they
 * bump, so a reader standing on an unchanged node stands in an unchanged key interval. Every walk
 * is bounded by {@link #MAX_HEIGHT}; every doubt returns {@link #RETRY}, and callers start the
 * operation again. Key bytes and key lengths never change once a node is linked, and a node's
 * reference stays valid while the tree lives (when the node block moves, every node keeps its
 * offset; a reader still on the old block fails its final epoch check), so a node reached through
 * validated links is a real node whose key can be read without further checks.
 *
 * <p>Iterators do not climb the tree: {@link #step} follows the node's in-order link ({@code next}
 * or {@code prev}), validated like a child link.
 *
 * <p><b>Ownership.</b> Immutable and shared by every reader thread; per-read state lives in the
 * caller's {@link Descent}.
 */
public final class TreeReader {
  /** Returned when the reader must start again. Never a node reference nor {@code NO_NODE}. */
  public static final long RETRY = ReadOutcome.RETRY;

  /**
   * No red-black tree of 2^31 nodes is higher than this (height is at most 2 log2(n+1) = 62); a
   * longer walk means the reader raced a writer.
   */
  public static final int MAX_HEIGHT = 128;

  private final RedBlackTree tree; // immutable
  private final SingleBlockArena nodes; // immutable

  /**
   * Creates a reader of a tree.
   *
   * @param tree the tree
   */
  public TreeReader(RedBlackTree tree) {
    this.tree = tree;
    this.nodes = tree.nodes();
  }

  /**
   * Returns the node block for one operation: every node the operation reaches lies in it.
   *
   * @return the published block, or null while the tree has never had a node
   */
  public MemorySegment segment() {
    return nodes.segmentAcquire();
  }

  /**
   * Finds a key's node. On success the node's header word, read with acquire and not yet validated,
   * is left in {@code d}: the caller reads the node's fields inside that window and validates it
   * with {@link #valid(MemorySegment, long, int)}.
   *
   * @param d where the found node's header word is left
   * @param s the node block of this operation
   * @param key a segment starting with the key's bytes
   * @param keyLength the key's length
   * @return its node, NO_NODE if absent at a moment during the call, or RETRY
   */
  public long find(Descent d, MemorySegment s, MemorySegment key, long keyLength) {
    int hv = tree.headerVersionAcquire();
    if ((hv & 1) != 0) {
      return RETRY;
    }
    long n = tree.rootAcquire();
    if (n == NO_NODE) {
      return validHeader(hv) ? NO_NODE : RETRY;
    }
    if (s == null) {
      return RETRY; // a node published after this operation's block: start again
    }
    long w = NodeLayout.headerAcquire(s, n);
    if (odd(w) || !validHeader(hv)) {
      return RETRY;
    }
    long keyPrefix = Keys.prefix(key, keyLength);
    for (int depth = 0; depth < MAX_HEIGHT; depth++) {
      int cmp = Keys.compare(key, keyLength, keyPrefix, s, n, NodeLayout.keyLengthOf(w));
      if (cmp == 0) {
        d.header = w;
        return n;
      }
      long c = NodeLayout.childPlain(s, n, cmp > 0);
      if (c == NO_NODE) {
        return validWord(s, n, w) ? NO_NODE : RETRY;
      }
      long cw = NodeLayout.headerAcquire(s, c);
      if (odd(cw) || !sameWord(s, n, w)) {
        return RETRY;
      }
      n = c;
      w = cw;
    }
    return RETRY;
  }

  /**
   * Positions at the first node of a range.
   *
   * @param s the node block of this operation
   * @param key the bound, or null for the first (ascending) or last (descending) node
   * @param ascending true: the smallest node above (or at) the key; false: the largest below (or
   *     at) it
   * @param inclusive whether a node equal to the key qualifies
   * @return the node, NO_NODE if none, or RETRY
   */
  public long seek(MemorySegment s, MemorySegment key, boolean ascending, boolean inclusive) {
    int hv = tree.headerVersionAcquire();
    if ((hv & 1) != 0) {
      return RETRY;
    }
    long n = tree.rootAcquire();
    if (n == NO_NODE) {
      return validHeader(hv) ? NO_NODE : RETRY;
    }
    if (s == null) {
      return RETRY;
    }
    long w = NodeLayout.headerAcquire(s, n);
    if (odd(w) || !validHeader(hv)) {
      return RETRY;
    }
    long keyLength = key == null ? 0 : key.byteSize();
    long keyPrefix = key == null ? 0 : Keys.prefix(key, keyLength);
    long best = NO_NODE;
    for (int depth = 0; depth < MAX_HEIGHT; depth++) {
      boolean qualifies;
      if (key == null) {
        qualifies = true;
      } else {
        int cmp = Keys.compare(key, keyLength, keyPrefix, s, n, NodeLayout.keyLengthOf(w));
        if (cmp == 0 && inclusive) {
          return n;
        }
        // Ascending wants nodes above the key; descending wants nodes below it.
        qualifies = ascending ? cmp < 0 : cmp > 0;
      }
      if (qualifies) {
        best = n;
      }
      // A qualifying node may have a better one on its near side; otherwise look on the far side.
      boolean goRight = ascending != qualifies;
      long c = NodeLayout.childPlain(s, n, goRight);
      if (c == NO_NODE) {
        return validWord(s, n, w) ? best : RETRY;
      }
      long cw = NodeLayout.headerAcquire(s, c);
      if (odd(cw) || !sameWord(s, n, w)) {
        return RETRY;
      }
      n = c;
      w = cw;
    }
    return RETRY;
  }

  /**
   * Steps from a node to its in-order neighbour, reading the node's version now. A cursor needs
   * only the node's chain link at one moment: its key never changes and it never leaves the tree,
   * so a change to the node since the cursor stood on it (a flag update, a new value, a rotation, a
   * neighbour inserted beside it) does not force a new descent from the root.
   *
   * @param s the node block of this operation
   * @param n the node the cursor stands on
   * @param ascending true for the successor, false for the predecessor
   * @return the neighbour, NO_NODE at the end, or RETRY
   */
  public static long step(MemorySegment s, long n, boolean ascending) {
    int v = NodeLayout.versionAcquire(s, n);
    if ((v & 1) != 0) {
      return RETRY;
    }
    long m = NodeLayout.neighbourPlain(s, n, ascending);
    return valid(s, n, v) ? m : RETRY;
  }

  /**
   * Like {@link #validWord}, right after an acquiring read (the child's header word): that read
   * already keeps every later read after it, and every earlier read of this node feeds its address.
   */
  private static boolean sameWord(MemorySegment s, long node, long w) {
    return NodeLayout.headerPlain(s, node) == w;
  }

  private static boolean odd(long headerWord) {
    return (NodeLayout.versionOf(headerWord) & 1) != 0;
  }

  /** Like {@link #valid}, for a header word (version, key length, flags) read as one. */
  public static boolean validWord(MemorySegment s, long node, long w) {
    VarHandle.loadLoadFence();
    return NodeLayout.headerPlain(s, node) == w;
  }

  private boolean validHeader(int hv) {
    VarHandle.loadLoadFence();
    return tree.headerVersionPlain() == hv;
  }

  /**
   * Checks that a node's version is still {@code v}. The load-load fence keeps the reads of the
   * node's fields (and of the next node's version) before this second read of the version.
   */
  public static boolean valid(MemorySegment s, long node, int v) {
    VarHandle.loadLoadFence();
    return NodeLayout.versionPlain(s, node) == v;
  }
}
