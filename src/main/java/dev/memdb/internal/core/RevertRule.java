package dev.memdb.internal.core;

import dev.memdb.KeyFlag;
import dev.memdb.internal.layout.NodeLayout;

/**
 * What undoing a key's first value leaves of its node's flags (reference §3.4): only persistent
 * flags keep the key alive; with none, the node is marked deleted. The writer's revert applies it;
 * readers apply it to see the state a revert under way leaves.
 */
final class RevertRule {
  /** The key flags that survive a rollback. */
  static final int PERSISTENT = persistentMask();

  private RevertRule() {}

  /**
   * Returns the flags word a node keeps when its first value is undone.
   *
   * @param flags the node's flags word
   * @return the word with only persistent key flags, or the deleted mark; the colour is kept
   */
  static int flagsAfterUndoingFirstValue(int flags) {
    int keep = flags & NodeLayout.KEY_FLAGS_MASK & PERSISTENT;
    return (flags & NodeLayout.RED_BIT) | (keep == 0 ? NodeLayout.DELETED_BIT : keep);
  }

  private static int persistentMask() {
    int m = 0;
    for (KeyFlag f : KeyFlag.values()) {
      if (f.isPersistent()) {
        m |= f.mask();
      }
    }
    return m;
  }
}
