#!/usr/bin/env bash
# Installs everything segmentd needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are skipped by apt. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl ccache
  clang-format
  # deploy/fuzz.sh: the libFuzzer targets are built with clang and its fuzzer runtime.
  clang libclang-rt-14-dev
  # RocksDB: its headers and compression libraries; deploy/rocksdb.sh (below) builds the
  # archive segmentd links.
  librocksdb-dev libsimdjson-dev libboost-dev catch2 prometheus-cpp-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  # The segmentd executable's malloc (SEGMENTD_ALLOCATOR in CMakeLists.txt).
  libjemalloc-dev
  # state/member_codec.cc: member record digests (XXH3, header only).
  libxxhash-dev
  python3
  # bench/micro: Google Benchmark micro benchmarks (segmentd-micro-bench).
  libbenchmark-dev
  # Kafka integration tests: deploy/kafka-broker.sh runs a real broker from Maven
  # Central jars (Java + Maven); clients are librdkafka, its Python binding
  # (for /usr/bin/python3) and kcat.
  openjdk-17-jre-headless maven
  librdkafka-dev python3-confluent-kafka kcat
  # Operations kit tests: JSON Schemas (schemas/), the .deb and its systemd unit,
  # promtool for the alert rules and dashboard queries, podman and debootstrap for the
  # container image (deploy/container-base.sh).
  python3-jsonschema python3-yaml dpkg-dev file systemd prometheus python3-venv
  podman runc debootstrap
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Offline validation of deploy/kubernetes (tests/kubernetes): the Kubernetes API schemas
# that the kubernetes-validate package ships, in a virtual environment of its own (PyPI).
tools_venv="${SEGMENTD_TOOLS_VENV:-/opt/segmentd-tools}"
if [ ! -x "$tools_venv/bin/kubernetes-validate" ]; then
  echo "installing kubernetes-validate into $tools_venv" >&2
  as_root /usr/bin/python3 -m venv "$tools_venv"
  as_root "$tools_venv/bin/pip" install --quiet --disable-pip-version-check \
    kubernetes-validate==1.37.0
fi

# RocksDB without its assertions (deploy/rocksdb.sh: once per machine, several minutes).
deploy_dir="$(dirname "$0")"
"$deploy_dir/rocksdb.sh"
