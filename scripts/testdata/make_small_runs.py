#!/usr/bin/python3
"""Writes scripts/testdata/small_runs.jsonl.gz, the fixture of the plot and
report tests: a small sweep run for real, in the runs.jsonl schema
(gclab-sweep-run/1) that scripts/sweep writes.

The tests need real reports (pause lists, MMU curves, cycles) rather than
made-up numbers, and a sweep small enough to run in a minute and to check in.
The grid:

  collectors  none (bump, in a heap of its own), mark-sweep (free-list,
              size-class), concurrent-mark-sweep (free-list), mark-compact
              (bump)
  workloads   gcbench (stretch-depth 16, long-lived-depth 14, array-size
              50000, max-depth 14) and binary-trees (max-depth 14): about
              70 ms a run
  heaps       1x, 2x and 4x a minimum heap found by hand (below)
  repeats     2 invocations of each cell, interleaved (every cell once,
              then every cell again)

The minimum heaps were found by running each collector at growing heap sizes
(in 128 KiB steps) and taking the smallest in which any of them completed:
gcbench 5 MiB (mark-compact; the sweeping collectors need 5.125 MiB, so their
1x cells fail with 'heap exhausted', which gives the fixture its failed
cells), binary-trees 2 MiB. `none` frees nothing, so its minimum is what the
workload allocates, rounded up the same way: gcbench 128 MiB, binary-trees
100 MiB; it runs at 2x that, with --pretouch when the binary has it.

Regenerate (from the repository root, after building the binary):

  bazel build --config=opt --symlink_prefix=/ //harness:gclab
  scripts/testdata/make_small_runs.py \\
      --gclab "$(bazel info --config=opt bazel-bin)/harness/gclab"

The tests derive every expectation from the file, so a regenerated fixture
needs no test changes unless the grid itself changes.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

MIB = 1 << 20
WORKLOADS = {
    "gcbench": {"params": {"stretch-depth": 16, "long-lived-depth": 14,
                           "array-size": 50000, "max-depth": 14},
                "min_heap_bytes": 5 * MIB,
                "none_min_heap_bytes": 128 * MIB},
    "binary-trees": {"params": {"max-depth": 14},
                     "min_heap_bytes": 2 * MIB,
                     "none_min_heap_bytes": 100 * MIB},
}
PAIRS = [("mark-sweep", "free-list"), ("mark-sweep", "size-class"),
         ("concurrent-mark-sweep", "free-list"), ("mark-compact", "bump")]
MULTIPLES = [1.0, 2.0, 4.0]
NONE_MULTIPLE = 2.0
INVOCATIONS = 2
SEED = 1
SWEEP_NAME = "small"
DEFAULT_OUT = Path(__file__).resolve().parent / "small_runs.jsonl.gz"


def sweep_text() -> str:
    """The grid as a sweep file would state it; its digest names the sweep."""
    return json.dumps({"name": SWEEP_NAME, "workloads": WORKLOADS,
                       "pairs": PAIRS, "heaps": [f"{m:g}x" for m in MULTIPLES],
                       "none_heap": f"{NONE_MULTIPLE:g}x",
                       "invocations": INVOCATIONS, "seed": SEED},
                      sort_keys=True, indent=1) + "\n"


def supports_pretouch(gclab: Path) -> bool:
    """--pretouch is new; a binary from before it would refuse the flag."""
    result = subprocess.run([str(gclab), "help"], capture_output=True,
                            text=True, check=False)
    return "--pretouch" in result.stdout


def cells(pretouch: bool) -> list[dict]:
    """Every cell of one invocation, in the order they run."""
    out = []
    for workload, spec in WORKLOADS.items():
        pairs = [("none", "bump")] + PAIRS
        for collector, allocator in pairs:
            is_none = collector == "none"
            minimum = spec["none_min_heap_bytes" if is_none
                           else "min_heap_bytes"]
            multiples = [NONE_MULTIPLE] if is_none else MULTIPLES
            for multiple in multiples:
                out.append({
                    "collector": collector, "allocator": allocator,
                    "workload": workload,
                    "workload_params": dict(spec["params"]),
                    "heap": f"{multiple:g}x", "heap_multiple": multiple,
                    "heap_bytes": int(multiple * minimum),
                    "min_heap_bytes": minimum, "mutators": 1,
                    "gc_threads": 1, "seed": SEED, "invocation": 0,
                    "flags": {"pretouch": True} if is_none and pretouch
                    else {}})
    return out


def configuration_of(cell: dict) -> str:
    """The cell's identity without seed and invocation."""
    params = ",".join(f"{k}={v}" for k, v in
                      sorted(cell["workload_params"].items()))
    flags = "".join(f" {k}={v}" for k, v in sorted(cell["flags"].items()))
    return (f"{cell['workload']}[{params}] {cell['collector']}/"
            f"{cell['allocator']} heap={cell['heap']} "
            f"mutators={cell['mutators']} gc_threads={cell['gc_threads']}"
            f"{flags}")


def command(gclab: Path, cell: dict, json_path: Path) -> list[str]:
    args = [str(gclab), "run", "--collector", cell["collector"],
            "--allocator", cell["allocator"], "--workload", cell["workload"],
            "--heap", str(cell["heap_bytes"]),
            "--mutators", str(cell["mutators"]),
            "--gc-threads", str(cell["gc_threads"]),
            "--seed", str(cell["seed"]), "--quiet", "--json", str(json_path)]
    for name, value in cell["workload_params"].items():
        args += ["--param", f"{name}={value}"]
    if cell["flags"].get("pretouch"):
        args.append("--pretouch")
    return args


def run_cell(gclab: Path, cell: dict, digest: str, scratch: Path) -> dict:
    """Runs one cell in a fresh process and returns its runs.jsonl record."""
    json_path = scratch / "report.json"
    json_path.unlink(missing_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.monotonic_ns()
    result = subprocess.run(command(gclab, cell, json_path),
                            capture_output=True, text=True, check=False)
    elapsed = time.monotonic_ns() - clock
    report: Optional[dict] = None
    error: Optional[str] = None
    if result.returncode == 0 and json_path.exists():
        report = json.loads(json_path.read_text())
    else:
        lines = result.stderr.strip().splitlines()
        error = lines[-1] if lines else f"exit status {result.returncode}"
        error = error.removeprefix("gclab: ")
    configuration = configuration_of(cell)
    return {
        "schema": "gclab-sweep-run/1",
        "sweep": {"name": SWEEP_NAME, "digest": digest},
        "key": f"{configuration} seed={cell['seed']} "
               f"invocation={cell['invocation']}",
        "configuration": configuration, "cell": cell,
        "status": "ok" if report is not None else "failed",
        "error": error, "exit_code": result.returncode,
        "runner": {"elapsed_ns": elapsed,
                   "started": started.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "report": report}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Run the small sweep the plot and report tests read, "
        "and write it as gzip-compressed runs.jsonl.")
    parser.add_argument("--gclab", type=Path, required=True,
                        help="the optimised gclab binary")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"where to write (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    digest = hashlib.sha256(sweep_text().encode()).hexdigest()
    pretouch = supports_pretouch(args.gclab)
    records = []
    with tempfile.TemporaryDirectory() as scratch:
        for invocation in range(INVOCATIONS):
            for cell in cells(pretouch):
                cell["invocation"] = invocation
                record = run_cell(args.gclab, cell, digest, Path(scratch))
                print(f"{record['status']:6} {record['key']}",
                      file=sys.stderr)
                records.append(record)
    # mtime=0 so that regenerating identical runs gives identical bytes.
    with open(args.out, "wb") as raw, gzip.GzipFile(
            fileobj=raw, mode="wb", mtime=0) as handle:
        for record in records:
            handle.write((json.dumps(record, separators=(",", ":")) +
                          "\n").encode())
    failed = sum(record["status"] == "failed" for record in records)
    print(f"wrote {len(records)} runs ({failed} failed) to {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
