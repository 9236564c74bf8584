"""The metric names segmentd exports, read from its source (app/, observability/), and a
check that PromQL text only uses those (histograms with _bucket, _sum, _count)."""
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
# Names the kit uses before segmentd exports them; each is documented where it is used.
PLANNED = set()
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def exported_names():
    names = set()
    for folder in ("app", "observability"):
        for path in (SOURCE / folder).glob("*.cc"):
            names |= set(re.findall(r'"(segmentd_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert "segmentd_events_consumed_total" in names, sorted(names)
    return names


def unknown_names(promql, exported):
    unknown = set()
    for name in set(re.findall(r"\bsegmentd_[a-z0-9_]+", promql)):
        base = next((name[:-len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), name)
        if name not in exported and base not in exported and name not in PLANNED:
            unknown.add(name)
    return unknown
