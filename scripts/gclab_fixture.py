"""The tests' data: scripts/testdata/small_runs.jsonl.gz, read without
gclab_results so that what the tests expect is computed independently of
the code they test (scripts/sweep makes the file from
scripts/testdata/small-sweep.json; docs/experiments.md#the-test-fixture),
and small made-up runs for the cases the fixture does not have."""

from __future__ import annotations

import functools
import gzip
import json
import statistics
from pathlib import Path

import matplotlib.image
import numpy as np

import gclab_results as results

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
    image = matplotlib.image.imread(path)
    if image.dtype != np.uint8:
        image = np.round(image * 255).astype(np.uint32)
    channels = image.reshape(-1, image.shape[-1]).astype(np.uint32)
    packed = np.zeros(len(channels), dtype=np.uint32)
    for index in range(min(3, channels.shape[1])):
        packed = packed << 8 | channels[:, index]
    return len(np.unique(packed))


def record(key: str = "k", status: str = "ok", wall_ns: float = 1e6,
           **cell) -> dict:
    """A made-up runs.jsonl record with only a wall time in its report; the
    cell's fields are overridden by keyword. The configuration is the key
    less its last word (the invocation)."""
    base = {"collector": "mark-sweep", "allocator": "free-list",
            "workload": "gcbench", "workload_params": {}, "heap": "2x",
            "heap_multiple": 2.0, "heap_bytes": 1 << 20,
            "min_heap_bytes": 1 << 19, "mutators": 1, "gc_threads": 1,
            "seed": 1, "invocation": 0, "flags": {}}
    base.update(cell)
    return {"schema": results.SCHEMA,
            "sweep": {"name": "t", "digest": "0" * 64}, "key": key,
            "configuration": key.rsplit(" ", 1)[0], "cell": base,
            "status": status,
            "error": None if status == "ok" else "heap exhausted",
            "exit_code": 0 if status == "ok" else 2,
            "runner": {"elapsed_ns": 1, "started": "2026-01-01T00:00:00Z"},
            "report": {"time": {"wall_ns": wall_ns}} if status == "ok"
            else None}


def runs_of(*lines: dict) -> results.Runs:
    """Made-up records as the Runs read_runs would return."""
    return results.Runs([results.parse_run(json.dumps(r), f"test:{i}")
                         for i, r in enumerate(lines, start=1)])
