#!/usr/bin/env bash
# Installs the dependencies, builds segmentd and runs every test under ctest: unit tests,
# the conformance scenarios of ../shared/conformance and the end-to-end tests.
#
#   deploy/test.sh                                   # the normal build
#   SEGMENTD_SANITIZE=address,undefined deploy/test.sh   # ASan + UBSan build
#   SEGMENTD_SANITIZE=thread deploy/test.sh -L unit  # TSan, unit tests
# Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
build_dir="$(deploy/build.sh | tail -n 1)"
cd "$build_dir"
ctest --output-on-failure -j "${SEGMENTD_TEST_JOBS:-2}" "$@"
