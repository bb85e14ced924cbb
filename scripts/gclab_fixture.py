"""The tests' view of scripts/testdata/small_runs.jsonl.gz, read without
gclab_results, so that what the tests expect is computed independently of
the code they test (scripts/testdata/make_small_runs.py makes the file)."""

from __future__ import annotations

import functools
import gzip
import json
import statistics
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
FIXTURE = SCRIPTS / "testdata" / "small_runs.jsonl.gz"


@functools.lru_cache(maxsize=1)
def records() -> list[dict]:
    """Every line, read once (the tests only read them)."""
    with gzip.open(FIXTURE, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def workloads() -> list[str]:
    return list(dict.fromkeys(r["cell"]["workload"] for r in records()))


def pair(record: dict) -> str:
    return f"{record['cell']['collector']}/{record['cell']['allocator']}"


def collected_pairs(workload: str) -> list[str]:
    """collector/allocator of every collected series, in sweep order."""
    return list(dict.fromkeys(
        pair(r) for r in records() if r["cell"]["workload"] == workload
        and r["cell"]["collector"] != "none"))


def multiples(workload: str, pair_name: str) -> list[float]:
    return sorted({r["cell"]["heap_multiple"] for r in records()
                   if r["cell"]["workload"] == workload
                   and pair(r) == pair_name})


def ok_reports(workload: str, pair_name: str, multiple: float
               ) -> list[dict]:
    return [r["report"] for r in records()
            if r["cell"]["workload"] == workload and pair(r) == pair_name
            and r["cell"]["heap_multiple"] == multiple
            and r["status"] == "ok"]


def lower_bound_reports(workload: str) -> list[dict]:
    return [r["report"] for r in records()
            if r["cell"]["workload"] == workload
            and r["cell"]["collector"] == "none" and r["status"] == "ok"]


def median_multiple(workload: str) -> float:
    """The lower middle of the collectors' multiples with a successful run."""
    present = sorted({r["cell"]["heap_multiple"] for r in records()
                      if r["cell"]["workload"] == workload
                      and r["cell"]["collector"] != "none"
                      and r["status"] == "ok"})
    return present[(len(present) - 1) // 2]


def mean(values) -> float:
    return statistics.fmean(values)


def distinct_colours(path: Path) -> int:
    """How many colours a PNG has: a blank or failed render has one or two.
    Pixels are packed into one integer each, since np.unique over rows of
    a large image is slow."""
    import matplotlib.image
    import numpy as np
    image = matplotlib.image.imread(path)
    if image.dtype != np.uint8:
        image = np.round(image * 255).astype(np.uint32)
    channels = image.reshape(-1, image.shape[-1]).astype(np.uint32)
    packed = np.zeros(len(channels), dtype=np.uint32)
    for index in range(min(3, channels.shape[1])):
        packed = packed << 8 | channels[:, index]
    return len(np.unique(packed))
