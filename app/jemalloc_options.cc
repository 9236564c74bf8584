// jemalloc's options for the `segmentd` executable, compiled in. Linked only when the
// executable links jemalloc (SEGMENTD_ALLOCATOR, app/CMakeLists.txt): jemalloc reads the
// `malloc_conf` symbol once at start, before main; MALLOC_CONF in the environment is read
// after it and overrides the options it names.
//
// thp:always and metadata_thp:always: jemalloc asks the kernel for transparent huge pages
// (madvise(MADV_HUGEPAGE)) on the memory it maps for allocations and for its own
// metadata. The member cache, the member map and RocksDB's memtables are read at random
// across hundreds of MiB, and a TLB miss is a large part of each lookup; with 2 MiB pages
// a replay of 10M events / 1M members takes about 6 % less CPU for about 5 % more peak RSS
// (docs/PERFORMANCE.md, "Huge pages for the heap"). Where the kernel's THP setting is
// `never` the request does nothing.
extern "C" {
const char* malloc_conf = "thp:always,metadata_thp:always";
}
