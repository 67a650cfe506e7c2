package dev.memdb.bench.store;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A store that is not thread-safe made usable by one writer and concurrent readers the way a Java
 * user would: a {@link ReentrantReadWriteLock} (non-fair) around every call.
 */
public final class LockedStore implements KvStore {
  private final KvStore inner;
  private final ReentrantReadWriteLock.ReadLock read;
  private final ReentrantReadWriteLock.WriteLock write;

  public LockedStore(KvStore inner) {
    this.inner = inner;
    ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    this.read = rw.readLock();
    this.write = rw.writeLock();
  }

  @Override
  public void put(byte[] key, byte[] value) {
    write.lock();
    try {
      inner.put(key, value);
    } finally {
      write.unlock();
    }
  }

  @Override
  public byte[] get(byte[] key) {
    read.lock();
    try {
      return inner.get(key);
    } finally {
      read.unlock();
    }
  }

  @Override
  public int get(byte[] key, byte[] dst) {
    read.lock();
    try {
      return inner.get(key, dst);
    } finally {
      read.unlock();
    }
  }

  @Override
  public long scan(byte[] lower, int n) {
    read.lock();
    try {
      return inner.scan(lower, n);
    } finally {
      read.unlock();
    }
  }

  @Override
  public long copyAll(byte[] keyDst, byte[] valueDst) {
    read.lock();
    try {
      return inner.copyAll(keyDst, valueDst);
    } finally {
      read.unlock();
    }
  }

  @Override
  public long iterateAll() {
    read.lock();
    try {
      return inner.iterateAll();
    } finally {
      read.unlock();
    }
  }

  @Override
  public long snapshotIterateAll() {
    return iterateAll();
  }

  @Override
  public void stage() {}

  @Override
  public void clear() {
    write.lock();
    try {
      inner.clear();
    } finally {
      write.unlock();
    }
  }

  @Override
  public void remove(byte[] key) {
    write.lock();
    try {
      inner.remove(key);
    } finally {
      write.unlock();
    }
  }

  @Override
  public void close() {
    inner.close();
  }
}
