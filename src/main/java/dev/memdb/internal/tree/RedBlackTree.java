package dev.memdb.internal.tree;

import static dev.memdb.internal.arena.Address.NULL;

import dev.memdb.internal.arena.BlockArena;
import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The writer's side of the red-black tree over node addresses (CLRS, with parent links and no
 * physical delete: rolled-back keys stay linked, marked deleted).
 *
 * <p><b>Thread safety.</b> Every method here runs under the buffer's write lock; the writer reads
 * its own nodes with plain loads. Concurrent {@link TreeReader}s never lock, so every change a
 * reader could observe is bracketed: {@link #beginChange(long)} makes the node's version odd and
 * fences stores, the change is made, {@link #endChange(long)} makes the version even again with a
 * release store. A rotation brackets every node whose links it changes (and the header when the
 * root moves). A new node is written completely, with plain stores, before it is linked inside its
 * parent's window; the release that closes that window publishes node and link together. Fields
 * other than the version are stored plainly: a reader reads them only inside a window it opened
 * with an acquiring read of the version, and validates it after. The root pointer lives in a
 * versioned header (two heap fields) treated like a node.
 */
public final class RedBlackTree {
  private final BlockArena nodes;
  private final RootHeader header = new RootHeader();

  // Where the last search would link a new node (writer-only scratch).
  private long insertParent = NULL;
  private boolean insertRight;

  // The node with the largest key (writer-only). Keys often arrive in ascending order
  // (auto-increment ids, sequential loads); a key above it is linked as its right child without a
  // descent. Rotations never change which node is the largest, nor give it a right child.
  private long maxNode = NULL;

  /**
   * Creates an empty tree.
   *
   * @param nodes the arena nodes are allocated in
   */
  public RedBlackTree(BlockArena nodes) {
    if (!nodes.isContiguous()) {
      throw new IllegalArgumentException("the tree needs a contiguous node arena");
    }
    this.nodes = nodes;
  }

  /**
   * Returns the node arena.
   *
   * @return the arena
   */
  public BlockArena nodes() {
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
   * @return the root node or NULL
   */
  public long root() {
    return header.rootPlain();
  }

  /**
   * Writer: finds a key's node, remembering where a new node for it would be linked.
   *
   * @param key the key's bytes, from offset 0
   * @param keyLength the key's length
   * @return its node, or NULL
   */
  public long search(MemorySegment key, long keyLength) {
    long keyPrefix = Keys.prefix(key, keyLength);
    long max = maxNode;
    if (max != NULL) {
      int cmp = Keys.compare(key, keyLength, keyPrefix, nodes.singlePlain(), max);
      if (cmp > 0) {
        insertParent = max;
        insertRight = true;
        return NULL;
      }
      if (cmp == 0) {
        return max;
      }
    }
    long parent = NULL;
    boolean right = false;
    long n = root();
    MemorySegment s = nodes.singlePlain();
    while (n != NULL) {
      int cmp = Keys.compare(key, keyLength, keyPrefix, s, n);
      if (cmp == 0) {
        return n;
      }
      parent = n;
      right = cmp > 0;
      n = right ? NodeLayout.rightPlain(s, n) : NodeLayout.leftPlain(s, n);
    }
    insertParent = parent;
    insertRight = right;
    return NULL;
  }

  /**
   * Writer: allocates an unlinked red node holding a copy of the key, with no value and no flags.
   *
   * @param key the key's bytes, from offset 0
   * @param length the key's length
   * @return the node's address
   * @throws OutOfMemoryError if the arena could not grow (nothing allocated)
   */
  public long allocate(MemorySegment key, long length) {
    int keyLength = (int) length;
    long n = nodes.allocate(NodeLayout.size(keyLength));
    MemorySegment s = nodes.singlePlain();
    // A pooled block may hold old bytes; write every field before the node can be reached.
    NodeLayout.setVersionOpaque(s, n, 0);
    NodeLayout.setKeyLength(s, n, keyLength);
    NodeLayout.setFlagsPlain(s, n, NodeLayout.RED_BIT);
    NodeLayout.setParentPlain(s, n, NULL);
    NodeLayout.setLeftPlain(s, n, NULL);
    NodeLayout.setRightPlain(s, n, NULL);
    NodeLayout.setValuePlain(s, n, NULL);
    MemorySegment.copy(key, 0, s, NodeLayout.keyAt(n), keyLength);
    return n;
  }

  /**
   * Writer: opens the change window of the node (or header) a new node will be linked under.
   * REQUIRES: the last {@link #search} did not find the key.
   */
  public void beginLink() {
    beginChangeOrHeader(insertParent);
  }

  /**
   * Writer: links a node allocated for the last searched key. REQUIRES: {@link #beginLink()}.
   *
   * @param node the new node, fully written
   */
  public void link(long node) {
    if (insertParent == maxNode && (insertRight || maxNode == NULL)) {
      maxNode = node;
    }
    NodeLayout.setParentPlain(nodes.singlePlain(), node, insertParent);
    if (insertParent == NULL) {
      header.setRootRelease(node);
    } else if (insertRight) {
      NodeLayout.setRightPlain(nodes.singlePlain(), insertParent, node);
    } else {
      NodeLayout.setLeftPlain(nodes.singlePlain(), insertParent, node);
    }
  }

  /** Writer: closes the window {@link #beginLink()} opened. */
  public void endLink() {
    endChangeOrHeader(insertParent);
  }

  /**
   * Writer: restores the red-black properties after {@link #link(long)} (CLRS insert fix-up).
   *
   * @param z the node just linked
   */
  public void rebalanceAfterInsert(long z) {
    while (true) {
      long p = parent(z);
      if (p == NULL || !isRed(p)) {
        break;
      }
      long g = parent(p);
      boolean parentIsLeft = p == left(g);
      long uncle = parentIsLeft ? right(g) : left(g);
      if (uncle != NULL && isRed(uncle)) {
        // Recolour the three nodes in one bracket: one fence on each side instead of three.
        open(p);
        open(uncle);
        open(g);
        VarHandle.storeStoreFence();
        setFlags(p, flags(p) & ~NodeLayout.RED_BIT);
        setFlags(uncle, flags(uncle) & ~NodeLayout.RED_BIT);
        setFlags(g, flags(g) | NodeLayout.RED_BIT);
        VarHandle.releaseFence();
        close(p);
        close(uncle);
        close(g);
        z = g;
        continue;
      }
      if (z == (parentIsLeft ? right(p) : left(p))) {
        z = p;
        rotate(z, parentIsLeft, false);
        p = parent(z);
      }
      // p rises above g: p turns black and g red inside the rotation's bracket.
      rotate(g, !parentIsLeft, true);
    }
    long r = root();
    if (isRed(r)) {
      setRed(r, false);
    }
  }

  /**
   * Rotates around {@code x}: left ({@code x}'s right child rises) or right. Every node whose links
   * change (and the header, when the root moves) is bracketed at once: odd versions, one fence, the
   * relinking, one release fence, even versions.
   *
   * @param x the node that goes down
   * @param leftRotation true for a left rotation
   * @param recolor whether the rising node turns black and {@code x} red (insert fix-up, case 3)
   */
  private void rotate(long x, boolean leftRotation, boolean recolor) {
    MemorySegment s = nodes.singlePlain();
    long y = leftRotation ? NodeLayout.rightPlain(s, x) : NodeLayout.leftPlain(s, x);
    long beta = leftRotation ? NodeLayout.leftPlain(s, y) : NodeLayout.rightPlain(s, y);
    long p = NodeLayout.parentPlain(s, x);
    openOrHeader(p);
    open(x);
    open(y);
    if (beta != NULL) {
      open(beta);
    }
    VarHandle.storeStoreFence();
    if (leftRotation) {
      NodeLayout.setRightPlain(s, x, beta);
      NodeLayout.setLeftPlain(s, y, x);
    } else {
      NodeLayout.setLeftPlain(s, x, beta);
      NodeLayout.setRightPlain(s, y, x);
    }
    if (beta != NULL) {
      NodeLayout.setParentPlain(s, beta, x);
    }
    NodeLayout.setParentPlain(s, y, p);
    if (p == NULL) {
      header.setRootRelease(y);
    } else if (NodeLayout.leftPlain(s, p) == x) {
      NodeLayout.setLeftPlain(s, p, y);
    } else {
      NodeLayout.setRightPlain(s, p, y);
    }
    NodeLayout.setParentPlain(s, x, y);
    if (recolor) {
      NodeLayout.setFlagsPlain(s, y, NodeLayout.flagsPlain(s, y) & ~NodeLayout.RED_BIT);
      NodeLayout.setFlagsPlain(s, x, NodeLayout.flagsPlain(s, x) | NodeLayout.RED_BIT);
    }
    VarHandle.releaseFence();
    if (beta != NULL) {
      close(beta);
    }
    close(y);
    close(x);
    closeOrHeader(p);
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
    MemorySegment s = nodes.singlePlain();
    NodeLayout.setVersionOpaque(s, node, NodeLayout.versionPlain(s, node) + 1);
    VarHandle.storeStoreFence();
  }

  /**
   * Writer: makes a node's version even again; the release store publishes the change.
   *
   * @param node the node that changed
   */
  public void endChange(long node) {
    MemorySegment s = nodes.singlePlain();
    NodeLayout.setVersionRelease(s, node, NodeLayout.versionPlain(s, node) + 1);
  }

  /** Makes a node's version odd without a fence; the caller fences once for several nodes. */
  private void open(long node) {
    MemorySegment s = nodes.singlePlain();
    NodeLayout.setVersionOpaque(s, node, NodeLayout.versionPlain(s, node) + 1);
  }

  /** Makes a node's version even after the caller's release fence (see {@link #rotate}). */
  private void close(long node) {
    MemorySegment s = nodes.singlePlain();
    NodeLayout.setVersionOpaque(s, node, NodeLayout.versionPlain(s, node) + 1);
  }

  private void openOrHeader(long node) {
    if (node == NULL) {
      header.setVersionOpaque(header.versionPlain() + 1);
    } else {
      open(node);
    }
  }

  private void closeOrHeader(long node) {
    if (node == NULL) {
      header.setVersionRelease(header.versionPlain() + 1);
    } else {
      close(node);
    }
  }

  private void beginChangeOrHeader(long node) {
    if (node == NULL) {
      header.setVersionOpaque(header.versionPlain() + 1);
      VarHandle.storeStoreFence();
    } else {
      beginChange(node);
    }
  }

  private void endChangeOrHeader(long node) {
    if (node == NULL) {
      header.setVersionRelease(header.versionPlain() + 1);
    } else {
      endChange(node);
    }
  }

  /**
   * Writer: forgets every node (after the node arena was reset). Brackets the header so readers
   * standing on the old root retry.
   */
  public void clear() {
    maxNode = NULL;
    beginChangeOrHeader(NULL);
    header.setRootRelease(NULL);
    endChangeOrHeader(NULL);
  }

  // ---------------------------------------------------------------- writer field access

  /** Writer: the flags word of a node. */
  public int flags(long node) {
    return NodeLayout.flagsPlain(nodes.singlePlain(), node);
  }

  /** Writer, inside a change window: sets the flags word. */
  public void setFlags(long node, int flags) {
    NodeLayout.setFlagsPlain(nodes.singlePlain(), node, flags);
  }

  /** Writer: the value record of a node. */
  public long value(long node) {
    return NodeLayout.valuePlain(nodes.singlePlain(), node);
  }

  /** Writer, inside a change window: points a node at a value record. */
  public void setValue(long node, long record) {
    NodeLayout.setValuePlain(nodes.singlePlain(), node, record);
  }

  /** Writer: the key length of a node. */
  public int keyLength(long node) {
    return NodeLayout.keyLength(nodes.singlePlain(), node);
  }

  /** Writer: a copy of a node's key. */
  public byte[] key(long node) {
    MemorySegment s = nodes.singlePlain();
    byte[] k = new byte[NodeLayout.keyLength(s, node)];
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, NodeLayout.keyAt(node), k, 0, k.length);
    return k;
  }

  private long parent(long n) {
    return NodeLayout.parentPlain(nodes.singlePlain(), n);
  }

  private long left(long n) {
    return NodeLayout.leftPlain(nodes.singlePlain(), n);
  }

  private long right(long n) {
    return NodeLayout.rightPlain(nodes.singlePlain(), n);
  }

  private boolean isRed(long n) {
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
