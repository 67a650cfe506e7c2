package dev.memdb.internal.layout;

/**
 * The one sentinel an optimistic read returns in place of a node reference, a record address or a
 * length when what it read may be torn: {@link #RETRY}. It shares their value space, so it must be
 * none of them: node references and addresses are {@code >= 0} or -1 (none), lengths {@code >= 0}
 * or -1 (absent).
 */
public final class ReadOutcome {
  /** The read may have seen a change in progress: start it again. */
  public static final long RETRY = -2;

  private ReadOutcome() {}
}
