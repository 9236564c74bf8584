package dev.segmentd.peer;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB options for this job (Kafka Streams' "bounded memory" pattern): every store of
 * the instance shares one 128 MiB LRU block cache, and their memtables (16 MiB each, at
 * most 3 per store) are charged to it through one WriteBufferManager, so off-heap memory
 * stays at about 128 MiB whatever the partition count, instead of Kafka Streams' default of
 * a 50 MiB cache plus 3 x 16 MiB memtables per store. Index and filter blocks live in the
 * cache (top level pinned). Kafka Streams already turns the WAL off (the changelog is the
 * log). The workload is a point lookup and a put per member change: no range scans, so the
 * default 4 KiB blocks and bloom filter stay. Thread-safe: the shared objects are created
 * once and never closed (they live as long as the JVM).
 */
public final class JobRocksDbConfig implements RocksDBConfigSetter {
  static final long TOTAL_BYTES = 128L << 20;
  static final long MEMTABLE_TOTAL_BYTES = 64L << 20;
  static final long MEMTABLE_BYTES = 16L << 20;
  static final int MEMTABLES = 3;

  /** Created when the first store opens (RocksDB's native library is loaded by then). */
  private static final class Shared {
    static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
    static final WriteBufferManager WRITE_BUFFERS =
        new WriteBufferManager(MEMTABLE_TOTAL_BYTES, CACHE);
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    final BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(Shared.CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(Shared.WRITE_BUFFERS);
    options.setWriteBufferSize(MEMTABLE_BYTES);
    options.setMaxWriteBufferNumber(MEMTABLES);
  }

  @Override
  public void close(String storeName, Options options) {
    // Shared.CACHE and Shared.WRITE_BUFFERS are shared by every store: not closed with one of them.
  }
}
