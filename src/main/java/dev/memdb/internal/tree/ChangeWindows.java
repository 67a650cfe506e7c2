package dev.memdb.internal.tree;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;

import dev.memdb.internal.arena.SingleBlockArena;
import dev.memdb.internal.layout.NodeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The writer's half of optimistic lock coupling: every change a lock-free reader could observe
 * happens inside a window, opened by making the version of the node (or of the root header) odd and
 * closed by making it even again with a release. A reader that saw an even version before and the
 * same version after its reads saw no change.
 *
 * <p>Opening needs a store-store fence after the odd version (a release store orders only what came
 * before it); several windows opened together share one fence, and several closed together one
 * release fence ({@link #open} / {@link #close}, used by rotations and recolourings). Closing a
 * window also tells the node arena the node changed, which keeps a move of the node block in step
 * ({@link SingleBlockArena#changed}). The root header stands for {@link NodeLayout#NO_NODE} in the
 * {@code ...OrHeader} forms: a node without a parent has the header as its parent.
 *
 * <p><b>Ownership.</b> Writer only, under the buffer's write lock.
 */
final class ChangeWindows {
  private final SingleBlockArena nodes; // immutable
  private final RootHeader header; // immutable

  ChangeWindows(SingleBlockArena nodes, RootHeader header) {
    this.nodes = nodes;
    this.header = header;
  }

  /** Opens one node's window, fenced: the stores that follow stay after the odd version. */
  void begin(long node) {
    MemorySegment s = nodes.segmentPlain();
    NodeLayout.setVersionOpaque(s, node, NodeLayout.versionPlain(s, node) + 1);
    VarHandle.storeStoreFence();
  }

  /** Closes one node's window; the release store publishes the change. */
  void end(long node) {
    MemorySegment s = nodes.segmentPlain();
    NodeLayout.setVersionRelease(s, node, NodeLayout.versionPlain(s, node) + 1);
    nodes.changed(NodeLayout.at(node), NodeLayout.KEY_OFFSET);
  }

  /** Makes a node's version odd without a fence; the caller fences once for several nodes. */
  void open(long node) {
    MemorySegment s = nodes.segmentPlain();
    NodeLayout.setVersionOpaque(s, node, NodeLayout.versionPlain(s, node) + 1);
  }

  /** Makes a node's version even after the caller's release fence. */
  void close(long node) {
    MemorySegment s = nodes.segmentPlain();
    NodeLayout.setVersionOpaque(s, node, NodeLayout.versionPlain(s, node) + 1);
    nodes.changed(NodeLayout.at(node), NodeLayout.KEY_OFFSET);
  }

  /** {@link #open}, or the root header's when {@code node} is NO_NODE. */
  void openOrHeader(long node) {
    if (node == NO_NODE) {
      header.setVersionOpaque(header.versionPlain() + 1);
    } else {
      open(node);
    }
  }

  /** {@link #close}, or the root header's (with a release) when {@code node} is NO_NODE. */
  void closeOrHeader(long node) {
    if (node == NO_NODE) {
      header.setVersionRelease(header.versionPlain() + 1);
    } else {
      close(node);
    }
  }

  /** {@link #begin}, or the root header's when {@code node} is NO_NODE. */
  void beginOrHeader(long node) {
    if (node == NO_NODE) {
      header.setVersionOpaque(header.versionPlain() + 1);
      VarHandle.storeStoreFence();
    } else {
      begin(node);
    }
  }

  /** {@link #end}, or the root header's when {@code node} is NO_NODE. */
  void endOrHeader(long node) {
    if (node == NO_NODE) {
      header.setVersionRelease(header.versionPlain() + 1);
    } else {
      end(node);
    }
  }
}
