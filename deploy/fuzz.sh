#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) into build-fuzz/
# and runs each for SECONDS (default 30), as many at a time as SEGMENTD_JOBS (default:
# the cores), starting from its seed corpus
# tests/fuzz/corpus/<target>/. Fails when any target finds a crash, a leak, undefined
# behaviour, a timeout or an out-of-memory; the input that did it is kept as
# build-fuzz/findings/<target>/<kind>-<hash> (feed it to a regression test).
#
#   deploy/fuzz.sh            # 30 s per target
#   deploy/fuzz.sh 600        # longer, by hand
#   FUZZ_TARGETS="fuzz_member_codec" deploy/fuzz.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
build_dir="${BUILD_DIR:-build-fuzz}"
jobs="${SEGMENTD_JOBS:-$(nproc)}"
targets="${FUZZ_TARGETS:-fuzz_event_parser fuzz_config_loader fuzz_member_codec fuzz_checkpoint_codec}"

CXX="${FUZZ_CXX:-clang++}" cmake -S . -B "$build_dir" -G Ninja -DSEGMENTD_FUZZ=ON >/dev/null
# shellcheck disable=SC2086
ninja -C "$build_dir" -j "$jobs" $targets >&2

# Fuzzes one target; its outcome goes to $build_dir/<target>.status (ok or failed).
fuzz_target() {
  local target="$1"
  # New inputs go to a scratch corpus in the build dir; the seeds in the repo stay as
  # they are.
  local work="$build_dir/corpus/$target" findings="$build_dir/findings/$target"
  mkdir -p "$work" "$findings"
  if "$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" \
      "$work" "tests/fuzz/corpus/$target" >"$build_dir/$target.log" 2>&1; then
    echo ok >"$build_dir/$target.status"
  else
    echo failed >"$build_dir/$target.status"
  fi
}

# The targets run side by side, $jobs at a time (each is one process on one core).
echo "fuzzing $targets for ${seconds}s each, $jobs at a time" >&2
for target in $targets; do
  rm -f "$build_dir/$target.status"
  # A target's outcome is its status file (a missing one counts as failed below), so a
  # target that exits before writing it must not end the script before the report.
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_target "$target" &
done
wait

failed=()
for target in $targets; do
  if [ "$(cat "$build_dir/$target.status" 2>/dev/null)" != ok ]; then
    failed+=("$target")
    tail -n 40 "$build_dir/$target.log" >&2
  fi
  echo "$target:" >&2
  grep -E '^(stat::number_of_executed_units|Done)' "$build_dir/$target.log" >&2 || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs under $build_dir/findings/)" >&2
  exit 1
fi
echo "fuzzing: no findings in $targets" >&2
