"""Tests of scripts/merge_compares.py on small compare documents."""

import gzip
import json
import tempfile
import unittest
from pathlib import Path

import merge_compares


def run_report(wall_ms: float, gc_ms: float, cycles: int) -> dict:
    return {"time": {"wall_ns": wall_ms * 1e6, "gc_cpu_ns": gc_ms * 1e6},
            "cycles": [{}] * cycles,
            "pauses": {"p50_ns": 2e6, "max_ns": 3e6}}


def compare_document(configs: list[dict]) -> dict:
    return {"schema_version": 1, "kind": "compare", "configs": configs}


class MergeComparesTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = Path(self.directory.name)

    def tearDown(self):
        self.directory.cleanup()

    def write(self, name: str, document: dict) -> Path:
        path = self.root / name
        if name.endswith(".gz"):
            with gzip.open(path, "wt") as handle:
                json.dump(document, handle)
        else:
            path.write_text(json.dumps(document))
        return path

    def config(self, label: str, *runs: dict, outcome: str = "ok") -> dict:
        return {"label": label, "outcome": outcome, "runs": list(runs)}

    def test_medians_are_over_every_run_of_a_group(self):
        before = [self.write(f"b{i}.json", compare_document(
            [self.config("ms", run_report(wall, 10, 4))]))
            for i, wall in enumerate([100, 300, 200])]
        after = [self.write("a.json.gz", compare_document(
            [self.config("ms", run_report(220, 11, 4),
                         run_report(180, 9, 4))]))]
        groups = [merge_compares.read_group("before", before),
                  merge_compares.read_group("after", after)]
        table = merge_compares.table(groups)
        row = table.splitlines()[2]
        self.assertEqual(
            row, "| ms | 200.0 ms | 200.0 ms | 1.00 | 10.0 ms | 10.0 ms | "
            "1.00 | 4 | 4 | 1.00 | 2.0 ms | 2.0 ms | 1.00 | 3.0 ms | "
            "3.0 ms | 1.00 |")

    def test_an_exhausted_configuration_says_so(self):
        path = self.write("x.json", compare_document(
            [self.config("none", outcome="heap-exhausted")]))
        table = merge_compares.table(
            [merge_compares.read_group("only", [path])])
        self.assertIn("| none | only: heap exhausted |", table)

    def test_a_document_that_is_not_a_comparison_is_refused(self):
        path = self.write("run.json", {"schema_version": 1, "config": {}})
        self.assertEqual(merge_compares.main([f"g={path}"]), 2)


if __name__ == "__main__":
    unittest.main()
