"""A sweep's results folder: results/<sweep>/.

  sweep.json       the sweep as it was first run (normalised) and its digest
  runs.jsonl       one line per finished cell, appended as each one ends
  min-heaps.json   the minimum heaps found, so that a rerun searches no more
  sessions.jsonl   one line per `scripts/sweep run` that ran cells: its wall
                   time against the runs' own, the runner's overhead

A line is appended with one write() on a file opened for appending, so an
interrupted sweep leaves whole lines only; a line cut short by a crash of the
machine (the one case a write can be torn) is dropped, with a warning, the
next time the folder is opened.
"""

import json
import os
import sys
from pathlib import Path

from sweep_plan import SweepError


class ResultsFolder:
    def __init__(self, directory: Path):
        self.directory = directory
        self.runs = directory / "runs.jsonl"
        self.min_heaps_path = directory / "min-heaps.json"
        self.sessions = directory / "sessions.jsonl"
        self.definition_path = directory / "sweep.json"

    def open_for(self, sweep) -> None:
        """Creates the folder for `sweep`, or checks that it holds `sweep`.

        A folder started by a different definition of the sweep is refused,
        never mixed: its cells would be keyed alike but mean other runs."""
        if self.definition_path.exists():
            recorded = json.loads(self.definition_path.read_text())
            if recorded.get("digest") != sweep.digest:
                raise SweepError(
                    f"{self.directory} holds results of a different "
                    f"definition of sweep '{sweep.name}' (digest "
                    f"{recorded.get('digest', '?')[:12]}, the file's is "
                    f"{sweep.digest[:12]}); move that folder aside or give "
                    "--results DIR for a new one")
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_whole(self.definition_path, json.dumps(
                {"name": sweep.name, "digest": sweep.digest,
                 "definition": sweep.definition}, indent=2) + "\n")
        self.repair_torn_line()

    def repair_torn_line(self) -> None:
        if not self.runs.exists():
            return
        data = self.runs.read_bytes()
        if not data or data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1
        print(f"sweep: dropping a line of {self.runs} cut short by a crash "
              f"({len(data) - keep} bytes); its cell runs again",
              file=sys.stderr)
        with open(self.runs, "r+b") as handle:
            handle.truncate(keep)

    def records(self) -> list:
        if not self.runs.exists():
            return []
        records = []
        for number, line in enumerate(self.runs.read_text().splitlines(), 1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                raise SweepError(f"{self.runs}:{number} is not a JSON line")
        return records

    def done_keys(self) -> set:
        return {record["key"] for record in self.records()}

    def append(self, record: dict) -> None:
        append_line(self.runs, record)

    def append_session(self, session: dict) -> None:
        append_line(self.sessions, session)

    def min_heaps(self) -> dict:
        if not self.min_heaps_path.exists():
            return {}
        return json.loads(self.min_heaps_path.read_text())

    def save_min_heaps(self, min_heaps: dict) -> None:
        write_whole(self.min_heaps_path, json.dumps(min_heaps, indent=2) + "\n")


def append_line(path: Path, record: dict) -> None:
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(descriptor, line)
        if written != len(line):
            raise OSError(f"short write to {path}: {written} of {len(line)}")
    finally:
        os.close(descriptor)


def write_whole(path: Path, text: str) -> None:
    """Writes `text` to a temporary name and renames it into place, so the
    file is whole or absent."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)
