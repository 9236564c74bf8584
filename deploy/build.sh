#!/usr/bin/env bash
# Configures and builds segmentd into BUILD_DIR (default: build, or build-<sanitizer>
# when SEGMENTD_SANITIZE is set). Prints the build directory on the last line.
#
#   deploy/build.sh                                 # RelWithDebInfo into build/
#   SEGMENTD_SANITIZE=address,undefined deploy/build.sh   # into build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize="${SEGMENTD_SANITIZE:-}"
case "$sanitize" in
  "") default_dir=build ;;
  thread) default_dir=build-tsan ;;
  *) default_dir=build-asan ;;
esac
build_dir="${BUILD_DIR:-$default_dir}"
jobs="${SEGMENTD_JOBS:-$(nproc)}"

cmake -S . -B "$build_dir" -G Ninja -DSEGMENTD_SANITIZE="$sanitize" >/dev/null
# SEGMENTD_BUILD_TARGETS: only these targets (default: everything).
# shellcheck disable=SC2086
ninja -C "$build_dir" -j "$jobs" ${SEGMENTD_BUILD_TARGETS:-} >&2
echo "$build_dir"
