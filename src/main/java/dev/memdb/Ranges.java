package dev.memdb;

import java.util.Comparator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** {@code forEach} and {@code entries} over an ascending iterator, for MemDB and Snapshot. */
final class Ranges {
  private Ranges() {}

  /** Visits every entry of {@code it}, then closes it (also when the visitor throws). */
  static void forEach(MemDBIterator it, EntryVisitor visitor) {
    try (it) {
      for (; it.valid(); it.next()) {
        visitor.visit(it.key(), it.value(), it.flags());
      }
    }
  }

  /** A sequential stream over {@code it} that closes it when the stream is closed or exhausted. */
  static Stream<Entry> stream(MemDBIterator it) {
    return StreamSupport.stream(new RangeSpliterator(it), false).onClose(it::close);
  }

  /** Hands out an iterator's entries; never splits (the iterator is one cursor). */
  private static final class RangeSpliterator implements Spliterator<Entry> {
    private final MemDBIterator it;
    private boolean done;

    RangeSpliterator(MemDBIterator it) {
      this.it = it;
    }

    @Override
    public boolean tryAdvance(Consumer<? super Entry> action) {
      Objects.requireNonNull(action, "action");
      if (done) {
        return false;
      }
      if (!it.valid()) {
        done = true;
        it.close();
        return false;
      }
      Entry e = new Entry(it.key(), it.value(), it.flags());
      it.next();
      action.accept(e);
      return true;
    }

    @Override
    public Spliterator<Entry> trySplit() {
      return null;
    }

    @Override
    public long estimateSize() {
      return done ? 0 : Long.MAX_VALUE;
    }

    @Override
    public int characteristics() {
      // CONCURRENT: writers may run beside it (weak consistency), like ConcurrentSkipListMap's.
      return ORDERED | SORTED | DISTINCT | NONNULL | CONCURRENT;
    }

    @Override
    public Comparator<? super Entry> getComparator() {
      return Entry.KEY_ORDER;
    }
  }
}
