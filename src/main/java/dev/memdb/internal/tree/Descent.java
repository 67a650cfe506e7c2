package dev.memdb.internal.tree;

/**
 * What a descent leaves behind besides the node it found: the node's header word (version, key
 * length, flags) as the descent read it, so the caller reads the node's other fields inside that
 * window without opening it again. A reader's per-thread context extends it; one instance is never
 * shared between threads.
 */
public class Descent {
  long header;

  /** Creates an empty descent slot. */
  protected Descent() {}

  /**
   * Returns the header word of the node the last {@link TreeReader#find} returned, read with
   * acquire semantics and not yet validated.
   *
   * @return the header word
   */
  public final long header() {
    return header;
  }
}
