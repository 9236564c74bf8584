#!/usr/bin/env python3
"""The example configuration of the package (deploy/package/segmentd.toml) lists every
option of docs/CONFIGURATION.md, commented out, and segmentd loads it both as shipped and
with every example line uncommented."""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
EXAMPLE = SOURCE / "deploy" / "package" / "segmentd.toml"
EXAMPLE_LINE = re.compile(r"^# ([a-z_]+(?:\.[a-z_]+)+) = (.+)$")


def documented_keys():
    text = (SOURCE / "docs" / "CONFIGURATION.md").read_text(encoding="utf-8")
    table = text.split("<!-- BEGIN config_reference_markdown() -->")[1].split("<!-- END")[0]
    keys = re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)
    assert len(keys) > 10, keys
    return keys


def replay_with(segmentd, config, cwd):
    (cwd / "empty.jsonl").write_text("", encoding="utf-8")
    return subprocess.run([segmentd, "replay", "--config", str(config), "--input", "empty.jsonl",
                           "--output", "out.jsonl", "--no-progress"],
                          cwd=cwd, capture_output=True, text=True)


def main():
    segmentd = os.environ["E2E_SEGMENTD_BIN"]
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    active = [line for line in lines if line.strip() and not line.startswith("#")]
    assert not active, f"the example must set nothing, only show the defaults: {active}"
    examples = {m.group(1): m.group(2) for m in map(EXAMPLE_LINE.match, lines) if m}
    for key in documented_keys():
        if key == "kafka.<property>":
            assert "kafka.bootstrap.servers" in examples, "no kafka.bootstrap.servers example"
        else:
            assert key in examples, f"{key} (docs/CONFIGURATION.md) is not in {EXAMPLE}"

    with tempfile.TemporaryDirectory(prefix="segmentd-config-") as tmp:
        tmp = Path(tmp)
        result = replay_with(segmentd, EXAMPLE, tmp)
        assert result.returncode == 0, f"as shipped: exit {result.returncode}: {result.stderr}"

        uncommented = tmp / "uncommented.toml"
        body = "\n".join(f"{key} = {value}" for key, value in examples.items())
        uncommented.write_text(body + "\n", encoding="utf-8")
        result = replay_with(segmentd, uncommented, tmp)
        assert result.returncode == 0, \
            f"every example uncommented: exit {result.returncode}: {result.stderr}"

        # The file is really read: a bad value in it stops start-up, naming the key.
        broken = tmp / "broken.toml"
        broken.write_text(body.replace('lifecycle.dormant_after = "90d"',
                                       'lifecycle.dormant_after = "ninety days"') + "\n",
                          encoding="utf-8")
        result = replay_with(segmentd, broken, tmp)
        assert result.returncode == 2 and "ninety days" in result.stderr, \
            (result.returncode, result.stderr)
    print(f"{len(examples)} example settings; loads as shipped and uncommented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
