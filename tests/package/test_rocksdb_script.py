#!/usr/bin/env python3
"""deploy/rocksdb.sh never replaces a directory it did not make: pointed (through
SEGMENTD_ROCKSDB_DIR) at a directory that holds files but not its stamp, it exits 1
naming that directory, before any download, and the files stay."""
import os
import subprocess
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "rocksdb.sh"

with tempfile.TemporaryDirectory() as tmp:
    foreign = Path(tmp) / "not-rocksdb"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("a user's file\n")
    env = dict(os.environ, SEGMENTD_ROCKSDB_DIR=str(foreign))
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1, f"exit {result.returncode}: {result.stderr}"
    assert "refusing to replace" in result.stderr and str(foreign) in result.stderr, \
        result.stderr
    assert "building RocksDB" not in result.stderr, result.stderr
    assert (foreign / "keep.txt").read_text() == "a user's file\n"
print("ok: a foreign directory is refused and kept")
