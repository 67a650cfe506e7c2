package dev.memdb.internal.tree;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;

import dev.memdb.internal.layout.NodeLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a red-black tree's invariants from the writer's side (call it under the write lock): the
 * root is black, no red node has a red child, every path has the same black height, keys ascend
 * strictly in order (unsigned, so no node is reached twice), and the in-order links agree with the
 * tree: following {@code next} from the smallest node, and {@code prev} from the largest, visits
 * exactly the in-order sequence.
 */
public final class RedBlackInvariants {
  private RedBlackInvariants() {}

  /**
   * Checks the tree.
   *
   * @param t the tree
   * @return the number of nodes (deleted ones included)
   * @throws AssertionError naming the first invariant broken
   */
  public static int check(RedBlackTree t) {
    long root = t.root();
    if (root == NO_NODE) {
      return 0;
    }
    require(!t.isRed(root), "the root is red");
    List<Long> inOrder = new ArrayList<>();
    blackHeight(t, root, inOrder);
    for (int i = 1; i < inOrder.size(); i++) {
      byte[] a = t.key(inOrder.get(i - 1));
      byte[] b = t.key(inOrder.get(i));
      require(
          Arrays.compareUnsigned(a, b) < 0,
          "keys out of order at " + i + ": " + Arrays.toString(a) + " !< " + Arrays.toString(b));
    }
    long first = inOrder.getFirst();
    long last = inOrder.getLast();
    require(t.prev(first) == NO_NODE, "the smallest node has a predecessor");
    require(t.next(last) == NO_NODE, "the largest node has a successor");
    long n = first;
    for (int i = 0; i < inOrder.size(); i++) {
      require(n == inOrder.get(i), "next chain leaves the in-order sequence at " + i);
      n = t.next(n);
    }
    require(n == NO_NODE, "next chain goes on past the largest node");
    n = last;
    for (int i = inOrder.size() - 1; i >= 0; i--) {
      require(n == inOrder.get(i), "prev chain leaves the in-order sequence at " + i);
      n = t.prev(n);
    }
    require(n == NO_NODE, "prev chain goes on past the smallest node");
    return inOrder.size();
  }

  /** Returns the black height of the subtree at {@code n}, appending its nodes in order. */
  private static int blackHeight(RedBlackTree t, long n, List<Long> out) {
    if (n == NO_NODE) {
      return 1;
    }
    require(out.size() < Integer.MAX_VALUE / 2, "a cycle in the tree");
    long l = t.left(n);
    long r = t.right(n);
    if (t.isRed(n)) {
      require(l == NO_NODE || !t.isRed(l), "red node " + n + " has a red left child");
      require(r == NO_NODE || !t.isRed(r), "red node " + n + " has a red right child");
    }
    int lh = blackHeight(t, l, out);
    out.add(n);
    int rh = blackHeight(t, r, out);
    require(lh == rh, "black heights differ under " + n + ": " + lh + " vs " + rh);
    return lh + (t.isRed(n) ? 0 : 1);
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("red-black invariant broken: " + what);
    }
  }

  /** Writer-side corruption helpers for the checker's own test. */
  static void setRedPlain(RedBlackTree t, long node, boolean red) {
    int f = t.flags(node);
    t.setFlags(node, red ? f | NodeLayout.RED_BIT : f & ~NodeLayout.RED_BIT);
  }
}
