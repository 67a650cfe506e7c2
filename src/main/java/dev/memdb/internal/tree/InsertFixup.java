package dev.memdb.internal.tree;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;

import dev.memdb.internal.arena.SingleBlockArena;
import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The red-black insert fix-up (CLRS) for a tree whose nodes keep no parent link: it climbs the path
 * the writer's search recorded, and after the largest-key shortcut, which does not descend, the
 * right spine, kept across such inserts. Recolourings and rotations are bracketed in the nodes'
 * change windows like every other change a reader could see (see {@link RedBlackTree}).
 *
 * <p><b>Ownership.</b> Writer-only: every method and field is used under the buffer's write lock.
 */
final class InsertFixup {
  // The nodes from the root down to insertParent that the last search descended (writer-only
  // scratch): path[0] is the root, path[pathLength - 1] insertParent; the fix-up after the insert
  // finds parents and grandparents here. PATH_UNKNOWN after the largest-key shortcut, which does
  // not descend: the fix-up then walks the right spine, the path to the largest node, if it needs
  // more than the parent.
  static final int PATH_UNKNOWN = -1;
  final long[] path = new long[TreeReader.MAX_HEIGHT + 1];
  int pathLength = PATH_UNKNOWN;

  // The right spine, root to the largest node, kept across inserts by the largest-key shortcut
  // (writer-only): walking it for each ascending insert cost more than the insert's own work.
  // Only an insert by descent, or clear(), can change it other than the ways kept up here.
  private final long[] spine = new long[TreeReader.MAX_HEIGHT + 2];
  private int spineLength;
  private boolean spineValid;

  private final RedBlackTree tree;
  private final SingleBlockArena nodes;
  private final RootHeader header;
  private final ChangeWindows windows;

  InsertFixup(RedBlackTree tree, RootHeader header, ChangeWindows windows) {
    this.tree = tree;
    this.nodes = tree.nodes();
    this.header = header;
    this.windows = windows;
  }

  /**
   * Restores the red-black properties below the root after a node was linked, except the root's
   * colour (the tree blackens the root).
   *
   * @param insertParent the node {@code z} was linked under, or NO_NODE
   * @param z the node just linked
   */
  void rebalance(long insertParent, long z) {
    boolean parentRed = insertParent != NO_NODE && tree.isRed(insertParent);
    if (pathLength == PATH_UNKNOWN) {
      // Linked as the right child of the largest node: the new end of the right spine.
      if (spineValid || parentRed) {
        if (!spineValid) {
          spineLength = rightSpineTo(insertParent, spine);
          spineValid = true;
        }
        spine[spineLength++] = z;
        if (parentRed) {
          int down = fixRedRed(spine, spineLength - 1);
          if (down >= 0) {
            // The rotation took the grandparent off the spine (it became its parent's left child).
            System.arraycopy(spine, down + 1, spine, down, spineLength - down - 1);
            spineLength--;
          }
        }
      }
    } else {
      spineValid = false;
      if (parentRed) {
        path[pathLength] = z;
        fixRedRed(path, pathLength);
      }
    }
  }

  /** Forgets the kept right spine (the tree was cleared). */
  void forgetSpine() {
    spineValid = false;
  }

  /**
   * The CLRS loop: {@code path[i]} is red and so may be its parent {@code path[i - 1]}.
   *
   * @param path the path from the root to the red node
   * @param i the depth of the red node
   * @return the depth of the grandparent the final rotation moved down, if the red pair lay on one
   *     side (on the right spine it always does), otherwise -1: how the path changed
   */
  private int fixRedRed(long[] path, int i) {
    while (i >= 2) {
      long z = path[i];
      long p = path[i - 1];
      if (!tree.isRed(p)) {
        return -1;
      }
      long g = path[i - 2];
      boolean parentIsLeft = p == tree.left(g);
      long uncle = parentIsLeft ? tree.right(g) : tree.left(g);
      if (uncle != NO_NODE && tree.isRed(uncle)) {
        // Recolour the three nodes in one bracket: one fence on each side instead of three.
        windows.open(p);
        windows.open(uncle);
        windows.open(g);
        VarHandle.storeStoreFence();
        tree.setFlags(p, tree.flags(p) & ~NodeLayout.RED_BIT);
        tree.setFlags(uncle, tree.flags(uncle) & ~NodeLayout.RED_BIT);
        tree.setFlags(g, tree.flags(g) | NodeLayout.RED_BIT);
        VarHandle.releaseFence();
        windows.close(p);
        windows.close(uncle);
        windows.close(g);
        i -= 2;
        continue;
      }
      boolean inner = z == (parentIsLeft ? tree.right(p) : tree.left(p));
      if (inner) {
        // z rises above p, into p's place under g.
        rotate(p, g, parentIsLeft, false);
      }
      // p (or z) rises above g, into g's place: it turns black and g red inside the bracket.
      rotate(g, i >= 3 ? path[i - 3] : NO_NODE, !parentIsLeft, true);
      return inner ? -1 : i - 2;
    }
    return -1;
  }

  /**
   * Writes the path from the root down the right spine to {@code last}: the path to the largest
   * node, which the largest-key shortcut linked the new node under.
   *
   * @param last the node the path ends with, on the right spine
   * @param out where the path goes
   * @return its length
   */
  private int rightSpineTo(long last, long[] out) {
    MemorySegment s = nodes.segmentPlain();
    int depth = 0;
    long n = tree.root();
    while (true) {
      out[depth++] = n;
      if (n == last) {
        return depth;
      }
      n = NodeLayout.rightPlain(s, n);
    }
  }

  /**
   * Rotates around {@code x}: left ({@code x}'s right child rises) or right. Every node whose links
   * change (and the header, when the root moves) is bracketed at once: odd versions, one fence, the
   * relinking, one release fence, even versions. The subtree that changes sides keeps its links and
   * its key interval, so it is not bracketed.
   *
   * @param x the node that goes down
   * @param p the parent of {@code x}, or NO_NODE if it is the root
   * @param leftRotation true for a left rotation
   * @param recolor whether the rising node turns black and {@code x} red (insert fix-up, case 3)
   */
  private void rotate(long x, long p, boolean leftRotation, boolean recolor) {
    MemorySegment s = nodes.segmentPlain();
    long y = leftRotation ? NodeLayout.rightPlain(s, x) : NodeLayout.leftPlain(s, x);
    long beta = leftRotation ? NodeLayout.leftPlain(s, y) : NodeLayout.rightPlain(s, y);
    windows.openOrHeader(p);
    windows.open(x);
    windows.open(y);
    VarHandle.storeStoreFence();
    if (leftRotation) {
      NodeLayout.setRightPlain(s, x, beta);
      NodeLayout.setLeftPlain(s, y, x);
    } else {
      NodeLayout.setLeftPlain(s, x, beta);
      NodeLayout.setRightPlain(s, y, x);
    }
    if (p == NO_NODE) {
      header.setRootRelease(y);
    } else if (NodeLayout.leftPlain(s, p) == x) {
      NodeLayout.setLeftPlain(s, p, y);
    } else {
      NodeLayout.setRightPlain(s, p, y);
    }
    if (recolor) {
      NodeLayout.setFlagsPlain(s, y, NodeLayout.flagsPlain(s, y) & ~NodeLayout.RED_BIT);
      NodeLayout.setFlagsPlain(s, x, NodeLayout.flagsPlain(s, x) | NodeLayout.RED_BIT);
    }
    VarHandle.releaseFence();
    windows.close(y);
    windows.close(x);
    windows.closeOrHeader(p);
  }
}
