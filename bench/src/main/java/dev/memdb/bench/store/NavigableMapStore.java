package dev.memdb.bench.store;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The heap peers a Java user would pick: {@code TreeMap<byte[],byte[]>} or {@code
 * ConcurrentSkipListMap<byte[],byte[]>} ordered by {@link Arrays#compareUnsigned(byte[], byte[])}.
 * Puts store clones of key and value (the store owns its bytes, like memdb).
 */
public final class NavigableMapStore implements KvStore {
  private final NavigableMap<byte[], byte[]> map;

  private NavigableMapStore(NavigableMap<byte[], byte[]> map) {
    this.map = map;
  }

  /** A {@code TreeMap} (not thread-safe: wrap it in {@link LockedStore} for concurrent use). */
  public static NavigableMapStore treeMap() {
    return new NavigableMapStore(new TreeMap<>(Arrays::compareUnsigned));
  }

  /** A {@code ConcurrentSkipListMap}. */
  public static NavigableMapStore skipList() {
    return new NavigableMapStore(new ConcurrentSkipListMap<>(Arrays::compareUnsigned));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    map.put(key.clone(), value.clone());
  }

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public int get(byte[] key, byte[] dst) {
    byte[] v = map.get(key);
    if (v == null) {
      return -1;
    }
    if (v.length <= dst.length) {
      System.arraycopy(v, 0, dst, 0, v.length);
    }
    return v.length;
  }

  @Override
  public long scan(byte[] lower, int n) {
    long sum = 0;
    Iterator<Map.Entry<byte[], byte[]>> it = map.tailMap(lower, true).entrySet().iterator();
    for (int i = 0; i < n && it.hasNext(); i++) {
      Map.Entry<byte[], byte[]> e = it.next();
      sum += e.getKey().length + e.getValue().length;
    }
    return sum;
  }

  @Override
  public long copyAll(byte[] keyDst, byte[] valueDst) {
    long sum = 0;
    for (Map.Entry<byte[], byte[]> e : map.entrySet()) {
      byte[] k = e.getKey();
      byte[] v = e.getValue();
      System.arraycopy(k, 0, keyDst, 0, k.length);
      System.arraycopy(v, 0, valueDst, 0, v.length);
      sum += k.length + v.length;
    }
    return sum;
  }

  @Override
  public long iterateAll() {
    long count = 0;
    for (Iterator<Map.Entry<byte[], byte[]>> it = map.entrySet().iterator(); it.hasNext(); it.next()) {
      count++;
    }
    return count;
  }

  @Override
  public long snapshotIterateAll() {
    return iterateAll();
  }

  @Override
  public void stage() {}

  @Override
  public void clear() {
    map.clear();
  }

  @Override
  public void remove(byte[] key) {
    map.remove(key);
  }

  @Override
  public void close() {
    map.clear();
  }
}
