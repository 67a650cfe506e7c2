package dev.memdb.internal.tree;

import static dev.memdb.internal.layout.NodeLayout.NO_NODE;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Cache-line padding before the root header's fields (superclass fields are laid out first). */
abstract class RootHeaderPadBefore {
  long p01, p02, p03, p04, p05, p06, p07, p08;
}

/** The root pointer and its version: every reader loads them, the writer rarely changes them. */
abstract class RootHeaderFields extends RootHeaderPadBefore {
  int version;
  long root = NO_NODE;
}

/**
 * The tree's versioned root header, treated by readers like a node (version, then the root pointer,
 * then the version again). It sits alone on its cache line: readers load it on every operation, and
 * a writer storing to a neighbouring field on every insert would make each of those loads a cache
 * miss.
 */
final class RootHeader extends RootHeaderFields {
  long q01, q02, q03, q04, q05, q06, q07, q08;

  private static final VarHandle VERSION;
  private static final VarHandle ROOT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      VERSION =
          l.findVarHandle(RootHeaderFields.class, "version", int.class).withInvokeExactBehavior();
      ROOT = l.findVarHandle(RootHeaderFields.class, "root", long.class).withInvokeExactBehavior();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  int versionAcquire() {
    return (int) VERSION.getAcquire((RootHeaderFields) this);
  }

  int versionPlain() {
    return (int) VERSION.get((RootHeaderFields) this);
  }

  void setVersionOpaque(int v) {
    VERSION.setOpaque((RootHeaderFields) this, v);
  }

  void setVersionRelease(int v) {
    VERSION.setRelease((RootHeaderFields) this, v);
  }

  long rootAcquire() {
    return (long) ROOT.getAcquire((RootHeaderFields) this);
  }

  long rootPlain() {
    return (long) ROOT.get((RootHeaderFields) this);
  }

  void setRootRelease(long node) {
    ROOT.setRelease((RootHeaderFields) this, node);
  }
}
