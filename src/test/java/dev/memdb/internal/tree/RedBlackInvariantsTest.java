package dev.memdb.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memdb.internal.arena.ArenaListener;
import dev.memdb.internal.arena.BlockAllocator;
import dev.memdb.internal.arena.SingleBlockArena;
import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The invariant checker accepts the trees the writer builds and reports each kind of damage. */
class RedBlackInvariantsTest {
  private static RedBlackTree emptyTree() {
    return new RedBlackTree(
        new SingleBlockArena(
            "nodes", BlockAllocator.sharedArenas(), 4096, 1L << 30, ArenaListener.NONE, () -> {}));
  }

  private static RedBlackTree tree(int keys, long seed) {
    RedBlackTree t = emptyTree();
    Random rnd = new Random(seed);
    for (int i = 0; i < keys; i++) {
      insert(t, rnd.nextInt());
    }
    return t;
  }

  @Test
  void acceptsRandomAndAscendingTrees() {
    RedBlackTree t = tree(5000, 1);
    assertTrue(RedBlackInvariants.check(t) > 4900);
    RedBlackTree asc = emptyTree();
    for (int i = 0; i < 3000; i++) {
      assertTrue(insert(asc, i), "key " + i + " found before it was inserted");
    }
    assertEquals(3000, RedBlackInvariants.check(asc));
  }

  /**
   * Ascending runs take the largest-key shortcut, whose fix-up climbs a right spine the tree keeps
   * across inserts; random keys in between rotate nodes on that spine, and {@code clear} forgets
   * it. The tree must stay a red-black tree after every single insert.
   */
  @Test
  void ascendingRunsBetweenRandomInsertsKeepTheInvariants() {
    RedBlackTree t = emptyTree();
    Random rnd = new Random(4);
    int inserted = 0;
    int next = 1 << 20;
    for (int round = 0; round < 40; round++) {
      if (round == 20) {
        t.clear();
        inserted = 0;
      }
      int run = 1 + rnd.nextInt(200);
      for (int i = 0; i < run; i++) {
        inserted += insert(t, next++) ? 1 : 0;
        assertEquals(inserted, RedBlackInvariants.check(t));
      }
      int scattered = rnd.nextInt(20);
      for (int i = 0; i < scattered; i++) {
        inserted += insert(t, rnd.nextInt(next)) ? 1 : 0;
        assertEquals(inserted, RedBlackInvariants.check(t));
      }
    }
    assertTrue(inserted > 1000, "inserted " + inserted);
  }

  /** Inserts a 4-byte big-endian key as the writer does; false if it was already there. */
  private static boolean insert(RedBlackTree t, int key) {
    MemorySegment k = MemorySegment.ofArray(ByteBuffer.allocate(4).putInt(key).array());
    if (t.search(k, 4) != NodeLayout.NO_NODE) {
      return false;
    }
    long n = t.allocate(k, 4);
    t.beginLink(n);
    t.link(n);
    t.endLink();
    t.rebalanceAfterInsert(n);
    return true;
  }

  @Test
  void reportsARedRootAndARedRedPair() {
    RedBlackTree t = tree(200, 2);
    RedBlackInvariants.setRedPlain(t, t.root(), true);
    assertThrows(AssertionError.class, () -> RedBlackInvariants.check(t));
    RedBlackInvariants.setRedPlain(t, t.root(), false);
    RedBlackInvariants.check(t);
    long child = t.left(t.root());
    RedBlackInvariants.setRedPlain(t, child, !t.isRed(child));
    AssertionError e = assertThrows(AssertionError.class, () -> RedBlackInvariants.check(t));
    assertTrue(
        e.getMessage().contains("black heights") || e.getMessage().contains("red"), e.getMessage());
  }

  @Test
  void reportsInOrderLinksThatDisagreeWithTheTree() {
    RedBlackTree t = tree(200, 3);
    MemorySegment s = t.nodes().segmentPlain();
    long root = t.root();
    long next = t.next(root);
    NodeLayout.setNextPlain(s, root, t.next(next));
    AssertionError e = assertThrows(AssertionError.class, () -> RedBlackInvariants.check(t));
    assertTrue(e.getMessage().contains("next chain"), e.getMessage());
    NodeLayout.setNextPlain(s, root, next);
    NodeLayout.setPrevPlain(s, next, NodeLayout.NO_NODE);
    e = assertThrows(AssertionError.class, () -> RedBlackInvariants.check(t));
    assertTrue(e.getMessage().contains("prev chain"), e.getMessage());
  }
}
