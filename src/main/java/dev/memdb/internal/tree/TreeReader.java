package dev.memdb.internal.tree;

import static dev.memdb.internal.arena.Address.NULL;

import dev.memdb.internal.arena.BlockArena;
import dev.memdb.internal.layout.NodeLayout;
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
 * address stays valid while the tree lives (when the node arena moves, every node keeps its offset;
 * a reader still on the old block fails its final epoch check), so a node reached through validated
 * links is a real node whose key can be read without further checks.
 */
public final class TreeReader {
  /** Returned when the reader must start again. Never a valid address. */
  public static final long RETRY = -2L;

  /**
   * No red-black tree in a 64-bit address space is higher than this (height is at most 2 log2(n+1)
   * and a node takes at least 40 bytes); a longer walk means the reader raced a writer.
   */
  public static final int MAX_HEIGHT = 128;

  private final RedBlackTree tree;
  private final BlockArena nodes;

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
   * Returns the node arena's block table for one operation.
   *
   * @return the published table
   */
  public MemorySegment[] table() {
    return nodes.blocksAcquire();
  }

  /**
   * Resolves a node address.
   *
   * @param t the table of this operation
   * @param node a node address
   * @return its block
   */
  public MemorySegment segment(MemorySegment[] t, long node) {
    return nodes.single(t);
  }

  /**
   * Finds a key's node.
   *
   * @param t the node table of this operation
   * @param key a segment starting with the key's bytes
   * @param keyLength the key's length
   * @return its node, NULL if absent at a moment during the call, or RETRY
   */
  public long find(MemorySegment[] t, MemorySegment key, long keyLength) {
    int hv = tree.headerVersionAcquire();
    if ((hv & 1) != 0) {
      return RETRY;
    }
    long n = tree.rootAcquire();
    if (n == NULL) {
      return validHeader(hv) ? NULL : RETRY;
    }
    MemorySegment s = nodes.single(t);
    long w = NodeLayout.headerAcquire(s, n);
    if (odd(w) || !validHeader(hv)) {
      return RETRY;
    }
    long keyPrefix = Keys.prefix(key, keyLength);
    for (int depth = 0; depth < MAX_HEIGHT; depth++) {
      int cmp = Keys.compare(key, keyLength, keyPrefix, s, n, NodeLayout.keyLengthOf(w));
      if (cmp == 0) {
        return n;
      }
      long c = NodeLayout.childPlain(s, n, cmp > 0);
      if (c == NULL) {
        return validWord(s, n, w) ? NULL : RETRY;
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
   * @param t the node table of this operation
   * @param key the bound, or null for the first (ascending) or last (descending) node
   * @param ascending true: the smallest node above (or at) the key; false: the largest below (or
   *     at) it
   * @param inclusive whether a node equal to the key qualifies
   * @return the node, NULL if none, or RETRY
   */
  public long seek(MemorySegment[] t, MemorySegment key, boolean ascending, boolean inclusive) {
    int hv = tree.headerVersionAcquire();
    if ((hv & 1) != 0) {
      return RETRY;
    }
    long n = tree.rootAcquire();
    if (n == NULL) {
      return validHeader(hv) ? NULL : RETRY;
    }
    MemorySegment s = nodes.single(t);
    long w = NodeLayout.headerAcquire(s, n);
    if (odd(w) || !validHeader(hv)) {
      return RETRY;
    }
    long keyLength = key == null ? 0 : key.byteSize();
    long keyPrefix = key == null ? 0 : Keys.prefix(key, keyLength);
    long best = NULL;
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
      if (c == NULL) {
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
   * only the node's links at one moment: its key never changes and it never leaves the tree, so a
   * change to the node since the cursor stood on it (a flag update, a new value, a rotation) does
   * not force a new descent from the root.
   *
   * @param t the node table of this operation
   * @param n the node the cursor stands on
   * @param ascending true for the successor, false for the predecessor
   * @return the neighbour, NULL at the end, or RETRY
   */
  public long step(MemorySegment[] t, long n, boolean ascending) {
    MemorySegment s = nodes.single(t);
    int v = NodeLayout.versionAcquire(s, n);
    return (v & 1) != 0 ? RETRY : step(t, n, v, ascending);
  }

  /**
   * Steps from a node to its in-order neighbour.
   *
   * @param t the node table of this operation
   * @param n the node the cursor stands on
   * @param v the version of {@code n} when the cursor read it
   * @param ascending true for the successor, false for the predecessor
   * @return the neighbour, NULL at the end, or RETRY (also when {@code n} changed since {@code v})
   */
  public long step(MemorySegment[] t, long n, int v, boolean ascending) {
    MemorySegment s = nodes.single(t);
    long c = NodeLayout.childPlain(s, n, ascending);
    // The parent too, inside the same window: a climb then needs no second validation of n.
    long p = NodeLayout.parentPlain(s, n);
    if (!valid(s, n, v)) {
      return RETRY;
    }
    if (c != NULL) {
      // The extreme node of the subtree on the far side.
      int cv = NodeLayout.versionAcquire(s, c);
      if ((cv & 1) != 0 || !sameVersion(s, n, v)) {
        return RETRY;
      }
      for (int depth = 0; depth < MAX_HEIGHT; depth++) {
        long l = NodeLayout.childPlain(s, c, !ascending);
        if (l == NULL) {
          return valid(s, c, cv) ? c : RETRY;
        }
        int lv = NodeLayout.versionAcquire(s, l);
        if ((lv & 1) != 0 || !sameVersion(s, c, cv)) {
          return RETRY;
        }
        c = l;
        cv = lv;
      }
      return RETRY;
    }
    // Climb until we come up from the near side of a parent: that parent is the neighbour. Each
    // level reads the parent's near child and its own parent inside one window of the parent.
    long x = n;
    int xv = v;
    for (int depth = 0; depth < MAX_HEIGHT; depth++) {
      if (p == NULL) {
        return NULL;
      }
      int pv = NodeLayout.versionAcquire(s, p);
      if ((pv & 1) != 0 || !sameVersion(s, x, xv)) {
        return RETRY;
      }
      long near = NodeLayout.childPlain(s, p, !ascending);
      long grandparent = NodeLayout.parentPlain(s, p);
      if (!valid(s, p, pv)) {
        return RETRY;
      }
      if (near == x) {
        return p;
      }
      x = p;
      xv = pv;
      p = grandparent;
    }
    return RETRY;
  }

  /**
   * Like {@link #validWord}, right after an acquiring read (the child's header word): that read
   * already keeps every later read after it, and every earlier read of this node feeds its address.
   */
  private static boolean sameWord(MemorySegment s, long node, long w) {
    return NodeLayout.headerPlain(s, node) == w;
  }

  /** Like {@link #valid}, right after an acquiring read (see {@link #sameWord}). */
  private static boolean sameVersion(MemorySegment s, long node, int v) {
    return NodeLayout.versionPlain(s, node) == v;
  }

  private static boolean odd(long headerWord) {
    return (NodeLayout.versionOf(headerWord) & 1) != 0;
  }

  /** Like {@link #valid}, for a header word (version, key length, flags) read as one. */
  static boolean validWord(MemorySegment s, long node, long w) {
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
  static boolean valid(MemorySegment s, long node, int v) {
    VarHandle.loadLoadFence();
    return NodeLayout.versionPlain(s, node) == v;
  }
}
