#!/usr/bin/env bash
# Builds RocksDB 7.8.3 (Debian 12's version, from the source Debian ships) as a static
# library with its assertions off, into SEGMENTD_ROCKSDB_DIR (default
# /opt/segmentd-rocksdb-7.8.3): lib/librocksdb.a and include/rocksdb/. state/CMakeLists.txt
# links it when it is there. Idempotent: a finished build is kept (its stamp file).
#
# Why not Debian's librocksdb.a: Debian builds RocksDB with CMake's build type "None",
# which leaves NDEBUG undefined, so every assert and test sync point of RocksDB runs in
# each write, memtable insert and compaction: with it a replay of 10M events / 1M members
# took 16 % more CPU with the lifecycle only, 3 % more with every family
# (docs/PERFORMANCE.md, "RocksDB without its assertions"). The same source, built with
# -O2 -DNDEBUG (-DPORTABLE=ON: no -march=native), is what this script makes. It takes about
# 4 minutes on two cores, once per machine.
set -euo pipefail

version=7.8.3
dir="${SEGMENTD_ROCKSDB_DIR:-/opt/segmentd-rocksdb-$version}"
stamp="$dir/.segmentd-built"
[ -f "$stamp" ] && exit 0
# A dir with files but without the stamp is not ours to replace (a mistyped
# SEGMENTD_ROCKSDB_DIR must never be removed).
if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  echo "deploy/rocksdb.sh: $dir exists and was not made by this script; refusing to replace it" >&2
  exit 1
fi

# The upstream tarball of Debian's source package rocksdb 7.8.3-2, and its SHA-256 from
# that package's .dsc.
url="http://deb.debian.org/debian/pool/main/r/rocksdb/rocksdb_${version}.orig.tar.gz"
sha256=b85408a374770897332bf15e51620a5f35720dd416a4749e3899057f9cfaf84d

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building RocksDB $version without assertions into $dir (once; several minutes)" >&2
curl --fail --silent --show-error --location --retry 3 -o "$work/rocksdb.tar.gz" "$url"
echo "$sha256  $work/rocksdb.tar.gz" | sha256sum --check --quiet
tar -xzf "$work/rocksdb.tar.gz" -C "$work"
# Debian's compiler flags (its hardening included) without -g, plus -DNDEBUG. The build
# type RelWithDebInfo, with its flags replaced: Release would also turn off RTTI, which
# segmentd's classes derived from RocksDB's (its logger, its key prefix) need. Compiled 16
# sources to a unit (CMake's unity build: RocksDB keeps its sources buildable as one unit,
# its Makefile's unity.a), which takes a third of the time of one unit per source.
flags="-O2 -fstack-protector-strong -Wformat -Werror=format-security -D_FORTIFY_SOURCE=2 -DNDEBUG"
cmake -S "$work/rocksdb-$version" -B "$work/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
  -DPORTABLE=ON -DFAIL_ON_WARNINGS=OFF \
  -DWITH_LZ4=ON -DWITH_ZSTD=ON -DWITH_SNAPPY=ON -DWITH_ZLIB=ON -DWITH_BZ2=ON \
  -DWITH_GFLAGS=OFF -DWITH_LIBURING=OFF -DWITH_TESTS=OFF -DWITH_BENCHMARK_TOOLS=OFF -DWITH_CORE_TOOLS=OFF \
  -DWITH_TOOLS=OFF -DROCKSDB_BUILD_SHARED=OFF \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
ninja -C "$work/build" -j "${SEGMENTD_JOBS:-$(nproc)}" rocksdb >&2
# Into a new dir, moved into place whole: CMake never finds half an installation.
as_root rm -rf "$dir.new"
as_root rm -rf "$dir"  # absent or empty (checked above)
as_root mkdir -p "$dir.new/lib" "$dir.new/include"
as_root cp "$work/build/librocksdb.a" "$dir.new/lib/"
as_root cp -r "$work/rocksdb-$version/include/rocksdb" "$dir.new/include/"
as_root touch "$dir.new/.segmentd-built"
as_root mv "$dir.new" "$dir"
