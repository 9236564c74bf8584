#!/usr/bin/env python3
"""Property: the `segmentd` executable built with jemalloc asks for transparent huge pages
on its heap (app/jemalloc_options.cc): jemalloc reports the compiled-in options, MALLOC_CONF
still overrides them, and a replay's heap is backed by huge pages where the kernel allows
them. Skipped (77) for a build with the system malloc (sanitizer builds) or a kernel whose
THP setting is `never`."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from replay_harness import Binaries, generate, temp_dir

SKIP = 77
THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def links_jemalloc(binary):
    dynamic = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                             check=True).stdout
    return "libjemalloc" in dynamic


def jemalloc_options(bins, malloc_conf):
    """The run-time options jemalloc prints at exit, as {name: value}."""
    result = subprocess.run([bins.segmentd, "--version"], capture_output=True, text=True,
                            env={**os.environ, "MALLOC_CONF": malloc_conf})
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r'^\s+opt\.(\w+): "?([^"\n]*)"?$', result.stderr, re.M))


def peak_huge_pages_kib(bins, events, state_dir, out, malloc_conf):
    """The largest AnonHugePages of a replay, sampled while it runs."""
    env = {**os.environ, "MALLOC_CONF": malloc_conf}
    proc = subprocess.Popen([bins.segmentd, "replay", "--input", str(events), "--output",
                             str(out), "--no-progress", "--set", f"state.dir={state_dir}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    rollup = Path(f"/proc/{proc.pid}/smaps_rollup")
    while proc.poll() is None:
        try:
            found = re.search(r"^AnonHugePages:\s+(\d+) kB", rollup.read_text(), re.M)
        except (FileNotFoundError, ProcessLookupError):
            break
        if found:
            peak = max(peak, int(found.group(1)))
        time.sleep(0.02)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    return peak


def main():
    bins = Binaries()
    if not links_jemalloc(bins.segmentd):
        print("SKIP: this segmentd keeps the system malloc")
        return SKIP
    options = jemalloc_options(bins, "stats_print:true")
    assert options.get("thp") == "always", options
    assert options.get("metadata_thp") == "always", options
    overridden = jemalloc_options(bins, "thp:never,stats_print:true")
    assert overridden.get("thp") == "never", overridden

    if "[never]" in THP_SETTING.read_text():
        print("SKIP: the kernel's transparent huge pages are off")
        return SKIP
    with temp_dir() as tmp:
        tmp = Path(tmp)
        events = tmp / "events.jsonl"
        generate(bins, events, members=50000, events=400000, seed=3)
        peak = peak_huge_pages_kib(bins, events, tmp / "state", tmp / "out.jsonl", "")
        # Without jemalloc's request (thp:default) a replay of this size has about 12 MiB
        # in huge pages on a kernel in `madvise` mode; with it, over 100 MiB.
        assert peak >= 32 * 1024, f"peak AnonHugePages {peak} KiB: the heap is not on huge pages"
        print(f"ok: peak AnonHugePages {peak} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
