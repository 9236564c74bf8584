#!/usr/bin/env bash
# The zero-setup tour: installs the dependencies, builds segmentd and runs
# `segmentd demo` — an embedded Kafka-protocol cluster in process, a generated purchase
# history streamed into it, the service running on it with a live view of segment
# populations and transition rates, metrics on http://127.0.0.1:9464/metrics.
# Arguments go to `segmentd demo` (see `segmentd demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
build_dir="$(deploy/build.sh | tail -n 1)"
exec "$build_dir/app/segmentd" demo "$@"
