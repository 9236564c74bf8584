#!/usr/bin/env bash
# Installs the dependencies, builds segmentd and runs every test under ctest: unit tests,
# the conformance scenarios of ../shared/conformance, the end-to-end replay tests and
# the integration tests against a real Kafka broker.
#
#   deploy/test.sh                                   # the normal build
#   SEGMENTD_SANITIZE=address,undefined deploy/test.sh   # ASan + UBSan build
#   SEGMENTD_SANITIZE=thread deploy/test.sh -L unit  # TSan, unit tests
# Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
deploy/kafka-broker.sh fetch  # the broker jars for the integration tests, once
build_dir="$(deploy/build.sh | tail -n 1)"
cd "$build_dir"
ctest --output-on-failure -j "${SEGMENTD_TEST_JOBS:-2}" "$@"
