#!/usr/bin/env python3
"""Medians of repeated `gclab compare` documents, side by side.

Several compare runs of the same configurations (say, five rounds on the
binary before a change and five after, alternated so that the machine's drift
falls on both alike) become one Markdown table: a row per configuration
label, for each group the median over every run of that label in the group's
files, and each later group's ratio to the first.

  scripts/merge_compares.py before=before-*.json after=after-*.json.gz

Files may be gzip-compressed. A configuration whose heap was exhausted in a
group shows as such.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

# (column, how to read it from one run's report, how to show it)
Metric = tuple[str, Callable[[dict], Optional[float]], Callable[[float], str]]


def _milliseconds(ns: float) -> str:
    return f"{ns / 1e6:.1f} ms"


def _microseconds(ns: float) -> str:
    return f"{ns / 1e3:.0f} µs" if ns < 1e6 else _milliseconds(ns)


def _count(value: float) -> str:
    return f"{value:.0f}"


METRICS: list[Metric] = [
    ("wall", lambda r: r["time"]["wall_ns"], _milliseconds),
    ("GC CPU", lambda r: r["time"].get("gc_cpu_ns"), _milliseconds),
    ("GCs", lambda r: float(len(r["cycles"])) if "cycles" in r else None,
     _count),
    ("pause p50", lambda r: r["pauses"]["p50_ns"], _microseconds),
    ("pause max", lambda r: r["pauses"]["max_ns"], _microseconds),
]


@dataclass
class Group:
    name: str
    runs: dict[str, list[dict]] = field(default_factory=dict)
    exhausted: set[str] = field(default_factory=set)
    order: list[str] = field(default_factory=list)


def load(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        return json.load(handle)


def read_group(name: str, paths: list[Path]) -> Group:
    group = Group(name)
    for path in paths:
        document = load(path)
        if document.get("kind") != "compare":
            raise ValueError(f"{path} is not a gclab compare document")
        for config in document["configs"]:
            label = config["label"]
            if label not in group.order:
                group.order.append(label)
            if config["outcome"] == "heap-exhausted":
                group.exhausted.add(label)
            group.runs.setdefault(label, []).extend(config["runs"])
    return group


def median(group: Group, label: str, read) -> Optional[float]:
    values = [value for value in (read(run) for run in group.runs.get(
        label, [])) if value is not None]
    return statistics.median(values) if values else None


def table(groups: list[Group]) -> str:
    labels: list[str] = []
    for group in groups:
        labels += [label for label in group.order if label not in labels]
    header = ["config"]
    for column, _, _ in METRICS:
        for index, group in enumerate(groups):
            header.append(f"{column} {group.name}")
            if index > 0:
                header.append("ratio")
    lines = ["| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for label in labels:
        cells = [label]
        if any(label in group.exhausted for group in groups):
            states = ", ".join(
                f"{group.name}: " +
                ("heap exhausted" if label in group.exhausted else "ran")
                for group in groups)
            lines.append(f"| {label} | {states} |")
            continue
        for _, read, show in METRICS:
            first = median(groups[0], label, read)
            for index, group in enumerate(groups):
                value = median(group, label, read)
                cells.append(show(value) if value is not None else "-")
                if index > 0:
                    cells.append(f"{value / first:.2f}" if value and first
                                 else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def parse_group(text: str) -> tuple[str, list[Path]]:
    name, equals, files = text.partition("=")
    if not equals or not name or not files:
        raise argparse.ArgumentTypeError(
            f"expected NAME=FILE[,FILE...], got {text!r}")
    return name, [Path(item) for item in files.split(",")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Print the medians of repeated gclab compare documents "
        "as one Markdown table, group beside group, with ratios to the first "
        "group.")
    parser.add_argument(
        "groups", nargs="+", type=parse_group, metavar="NAME=FILE[,FILE...]",
        help="a group's name and its compare documents (JSON, or .json.gz); "
        "a shell glob needs expanding into commas, or give NAME=FILE once "
        "per file")
    args = parser.parse_args(argv)
    merged: dict[str, list[Path]] = {}
    for name, paths in args.groups:
        merged.setdefault(name, []).extend(paths)
    try:
        groups = [read_group(name, paths) for name, paths in merged.items()]
    except (OSError, ValueError, KeyError) as error:
        print(f"merge_compares: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(table(groups))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
