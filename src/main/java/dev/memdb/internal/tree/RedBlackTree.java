package dev.memdb.internal.tree;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;

import dev.memdb.internal.arena.SingleBlockArena;
import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The writer's side of the red-black tree over node addresses (CLRS insertion, with no physical
 * delete: rolled-back keys stay linked, marked deleted). Nodes keep no parent link: the writer's
 * search records the path it descended ({@link InsertFixup}), and the insert fix-up climbs that.
 *
 * <p>Besides the tree links, every node is chained to its in-order neighbours ({@code next}, {@code
 * prev}). A node is chained when it is linked, inside the same bracket as its parent's child link,
 * and the chain never changes afterwards: rotations keep the key order, and nothing is unlinked.
 *
 * <p><b>Thread safety.</b> Every method here runs under the buffer's write lock; the writer reads
 * its own nodes with plain loads. Concurrent {@link TreeReader}s never lock, so every change a
 * reader could observe is bracketed: {@link #beginChange(long)} makes the node's version odd and
 * fences stores, the change is made, {@link #endChange(long)} makes the version even again with a
 * release store. A rotation brackets every node whose links it changes (and the header when the
 * root moves). A new node is written completely, with plain stores, before it is linked inside the
 * windows of its parent and of its other in-order neighbour; the releases that close them publish
 * node and links together. Fields other than the version are stored plainly: a reader reads them
 * only inside a window it opened with an acquiring read of the version, and validates it after. The
 * root pointer lives in a versioned header (two heap fields) treated like a node.
 *
 * <p>The brackets also keep a move of the node block in step: every store to a linked node lies in
 * a window, and closing the window tells the arena the node changed ({@link
 * SingleBlockArena#changed}); a new node lies above everything a move has copied.
 */
public final class RedBlackTree {
  private final SingleBlockArena nodes; // immutable
  private final RootHeader header = new RootHeader(); // immutable reference; fields: see RootHeader
  private final ChangeWindows windows; // immutable

  // Where the last search would link a new node (writer-only scratch).
  private long insertParent = NO_NODE;
  private boolean insertRight;

  // The insert fix-up and the path it climbs, recorded by search (writer-only).
  private final InsertFixup fixup;

  // The new node's in-order neighbour that is not its parent, once beginLink found it
  // (writer-only).
  private long otherNeighbour = NO_NODE;

  // The node with the largest key (writer-only). Keys often arrive in ascending order
  // (auto-increment ids, sequential loads); a key above it is linked as its right child without a
  // descent. Rotations never change which node is the largest, nor give it a right child.
  private long maxNode = NO_NODE;

  /**
   * Creates an empty tree.
   *
   * @param nodes the arena nodes are allocated in
   */
  public RedBlackTree(SingleBlockArena nodes) {
    this.nodes = nodes;
    this.windows = new ChangeWindows(nodes, header);
    this.fixup = new InsertFixup(this, header, windows);
  }

  /**
   * Returns the node arena.
   *
   * @return the arena
   */
  public SingleBlockArena nodes() {
    return nodes;
  }

  // ---------------------------------------------------------------- header (reader side)

  int headerVersionAcquire() {
    return header.versionAcquire();
  }

  int headerVersionPlain() {
    return header.versionPlain();
  }

  long rootAcquire() {
    return header.rootAcquire();
  }

  // ---------------------------------------------------------------- writer

  /**
   * Writer: the root.
   *
   * @return the root node or NO_NODE
   */
  public long root() {
    return header.rootPlain();
  }

  /**
   * Writer: finds a key's node, remembering where a new node for it would be linked.
   *
   * @param key the key's bytes, from offset 0
   * @param keyLength the key's length
   * @return its node, or NO_NODE
   */
  public long search(MemorySegment key, long keyLength) {
    long keyPrefix = Keys.prefix(key, keyLength);
    long max = maxNode;
    if (max != NO_NODE) {
      int cmp = Keys.compare(key, keyLength, keyPrefix, nodes.segmentPlain(), max);
      if (cmp > 0) {
        insertParent = max;
        insertRight = true;
        fixup.pathLength = InsertFixup.PATH_UNKNOWN;
        return NO_NODE;
      }
      if (cmp == 0) {
        return max;
      }
    }
    long parent = NO_NODE;
    boolean right = false;
    long n = root();
    MemorySegment s = nodes.segmentPlain();
    int depth = 0;
    while (n != NO_NODE) {
      int cmp = Keys.compare(key, keyLength, keyPrefix, s, n);
      if (cmp == 0) {
        return n;
      }
      fixup.path[depth++] = n;
      parent = n;
      right = cmp > 0;
      n = right ? NodeLayout.rightPlain(s, n) : NodeLayout.leftPlain(s, n);
    }
    insertParent = parent;
    insertRight = right;
    fixup.pathLength = depth;
    return NO_NODE;
  }

  /**
   * Writer: allocates an unlinked red node holding a copy of the key, with no value and no flags.
   *
   * @param key the key's bytes, from offset 0
   * @param length the key's length
   * @return the node's reference
   * @throws dev.memdb.IndexTooLargeException if the node block is at its limit (nothing allocated)
   * @throws OutOfMemoryError if the arena could not grow (nothing allocated)
   */
  public long allocate(MemorySegment key, long length) {
    int keyLength = (int) length;
    long n = NodeLayout.referenceOf(nodes.allocate(NodeLayout.size(keyLength)));
    MemorySegment s = nodes.segmentPlain();
    // A pooled block may hold old bytes; write every field before the node can be reached.
    NodeLayout.setVersionOpaque(s, n, 0);
    NodeLayout.setKeyLength(s, n, keyLength);
    NodeLayout.setFlagsPlain(s, n, NodeLayout.RED_BIT);
    NodeLayout.setValuePlain(s, n, NodeLayout.NO_VALUE);
    NodeLayout.setLeftPlain(s, n, NO_NODE);
    NodeLayout.setRightPlain(s, n, NO_NODE);
    NodeLayout.setNextPlain(s, n, NO_NODE);
    NodeLayout.setPrevPlain(s, n, NO_NODE);
    MemorySegment.copy(key, 0, s, NodeLayout.keyAt(n), keyLength);
    return n;
  }

  /**
   * Writer: chains a node allocated for the last searched key to its in-order neighbours (it is
   * still unreachable), then opens the change windows of the nodes its linking changes: the parent
   * (or the header) and the other neighbour. The parent is one neighbour: a left child's successor,
   * a right child's predecessor. REQUIRES: the last {@link #search} did not find the key.
   *
   * @param node the new node, fully written
   */
  public void beginLink(long node) {
    MemorySegment s = nodes.segmentPlain();
    long p = insertParent;
    long pred = NO_NODE;
    long succ = NO_NODE;
    if (p != NO_NODE) {
      pred = insertRight ? p : NodeLayout.prevPlain(s, p);
      succ = insertRight ? NodeLayout.nextPlain(s, p) : p;
    }
    NodeLayout.setPrevPlain(s, node, pred);
    NodeLayout.setNextPlain(s, node, succ);
    otherNeighbour = insertRight ? succ : pred;
    windows.openOrHeader(p);
    if (otherNeighbour != NO_NODE) {
      windows.open(otherNeighbour);
    }
    VarHandle.storeStoreFence();
  }

  /**
   * Writer: links a node chained by {@link #beginLink(long)}: the parent's child link and both
   * neighbours' chain links.
   *
   * @param node the new node
   */
  public void link(long node) {
    if (insertParent == maxNode && (insertRight || maxNode == NO_NODE)) {
      maxNode = node;
    }
    MemorySegment s = nodes.segmentPlain();
    long pred = NodeLayout.prevPlain(s, node);
    long succ = NodeLayout.nextPlain(s, node);
    if (pred != NO_NODE) {
      NodeLayout.setNextPlain(s, pred, node);
    }
    if (succ != NO_NODE) {
      NodeLayout.setPrevPlain(s, succ, node);
    }
    if (insertParent == NO_NODE) {
      header.setRootRelease(node);
    } else if (insertRight) {
      NodeLayout.setRightPlain(s, insertParent, node);
    } else {
      NodeLayout.setLeftPlain(s, insertParent, node);
    }
  }

  /** Writer: closes the windows {@link #beginLink(long)} opened; the releases publish the links. */
  public void endLink() {
    if (otherNeighbour != NO_NODE) {
      endChange(otherNeighbour);
    }
    windows.endOrHeader(insertParent);
  }

  /**
   * Writer: restores the red-black properties after {@link #link(long)} (CLRS insert fix-up),
   * climbing the path the last {@link #search} descended.
   *
   * @param z the node just linked
   */
  public void rebalanceAfterInsert(long z) {
    fixup.rebalance(insertParent, z);
    long r = root();
    if (isRed(r)) {
      setRed(r, false);
    }
  }

  // ---------------------------------------------------------------- change windows

  /**
   * Writer: makes a node's version odd; readers standing on it will retry. The store-store fence
   * keeps the changes that follow from becoming visible before the odd version (a release store
   * orders only what came before it).
   *
   * @param node the node about to change
   */
  public void beginChange(long node) {
    windows.begin(node);
  }

  /**
   * Writer: makes a node's version even again; the release store publishes the change.
   *
   * @param node the node that changed
   */
  public void endChange(long node) {
    windows.end(node);
  }

  /**
   * Writer: forgets every node (after the node arena was reset). Brackets the header so readers
   * standing on the old root retry.
   */
  public void clear() {
    maxNode = NO_NODE;
    fixup.forgetSpine();
    windows.beginOrHeader(NO_NODE);
    header.setRootRelease(NO_NODE);
    windows.endOrHeader(NO_NODE);
  }

  // ---------------------------------------------------------------- writer field access

  /** Writer: the flags word of a node. */
  public int flags(long node) {
    return NodeLayout.flagsPlain(nodes.segmentPlain(), node);
  }

  /** Writer, inside a change window: sets the flags word. */
  public void setFlags(long node, int flags) {
    NodeLayout.setFlagsPlain(nodes.segmentPlain(), node, flags);
  }

  /** Writer: the in-order successor of a node, or NO_NODE. */
  public long next(long node) {
    return NodeLayout.nextPlain(nodes.segmentPlain(), node);
  }

  /** Writer: the in-order predecessor of a node, or NO_NODE. */
  public long prev(long node) {
    return NodeLayout.prevPlain(nodes.segmentPlain(), node);
  }

  /** Writer: the value record of a node. */
  public long value(long node) {
    return NodeLayout.valuePlain(nodes.segmentPlain(), node);
  }

  /** Writer, inside a change window: points a node at a value record. */
  public void setValue(long node, long record) {
    NodeLayout.setValuePlain(nodes.segmentPlain(), node, record);
  }

  /** Writer: the key length of a node. */
  public int keyLength(long node) {
    return NodeLayout.keyLength(nodes.segmentPlain(), node);
  }

  /** Writer: a copy of a node's key. */
  public byte[] key(long node) {
    MemorySegment s = nodes.segmentPlain();
    byte[] k = new byte[NodeLayout.keyLength(s, node)];
    NodeLayout.copyKey(s, node, k, k.length);
    return k;
  }

  /** Writer: the left child of a node, or NO_NODE. */
  public long left(long n) {
    return NodeLayout.leftPlain(nodes.segmentPlain(), n);
  }

  /** Writer: the right child of a node, or NO_NODE. */
  public long right(long n) {
    return NodeLayout.rightPlain(nodes.segmentPlain(), n);
  }

  /** Writer: whether a node is red. */
  public boolean isRed(long n) {
    return (flags(n) & NodeLayout.RED_BIT) != 0;
  }

  private void setRed(long n, boolean red) {
    int f = flags(n);
    int nf = red ? f | NodeLayout.RED_BIT : f & ~NodeLayout.RED_BIT;
    if (nf != f) {
      beginChange(n);
      setFlags(n, nf);
      endChange(n);
    }
  }
}
