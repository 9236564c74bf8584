#!/usr/bin/env bash
# The zero-setup tour: installs the dependencies, builds segmentd, generates a sample
# purchase history (20,000 members, 300,000 events over two years, with refunds, late,
# duplicate and broken lines) and replays it, printing the summary. The transitions are
# left in demo/transitions.jsonl and the rejected lines in demo/rejected.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
build_dir="$(deploy/build.sh | tail -n 1)"
mkdir -p demo
"$build_dir/bench/segmentd-gen" --members 20000 --events 300000 --seed 1 \
  --output demo/purchases.jsonl 2>/dev/null
"$build_dir/app/segmentd" replay --input demo/purchases.jsonl \
  --output demo/transitions.jsonl --dlq demo/rejected.jsonl "$@"
echo
echo "first transitions (demo/transitions.jsonl):"
head -n 3 demo/transitions.jsonl
