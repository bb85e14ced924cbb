"""Tests of scripts/sweep: the grid it expands, and real sweeps of tiny
configurations run, resumed, interrupted and refused."""

import json
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import sweep_plan
from gclab_binary import REPO, gclab_binary

SWEEP = REPO / "scripts" / "sweep"
PYTHON = "/usr/bin/python3"
# GCBench small enough to run in milliseconds; its minimum heap is ~300K.
TINY_GCBENCH = {"name": "gcbench",
                "params": {"stretch-depth": 12, "long-lived-depth": 10,
                           "array-size": 10000, "max-depth": 10}}


def listing() -> dict:
    done = subprocess.run([gclab_binary(), "list", "--json"], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def tiny_sweep(**overrides) -> dict:
    sweep = {"name": "tiny", "workloads": [TINY_GCBENCH],
             "collectors": ["mark-sweep", "mark-compact"],
             "allocators": ["bump", "free-list"],
             "heaps": ["2x", "64K"], "invocations": 2}
    sweep.update(overrides)
    return sweep


class SweepDirectory(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = Path(self.directory.name)
        self.results = self.root / "results"

    def tearDown(self):
        self.directory.cleanup()

    def write(self, sweep: dict, name: str = "sweep.json") -> Path:
        path = self.root / name
        path.write_text(json.dumps(sweep))
        return path

    def sweep(self, path: Path, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([PYTHON, str(SWEEP), "run", str(path),
                               "--gclab", gclab_binary(),
                               "--results", str(self.results), *extra],
                              capture_output=True, text=True, timeout=300)

    def records(self) -> list:
        runs = self.results / "runs.jsonl"
        return [json.loads(line) for line in runs.read_text().splitlines()]


class ExpansionTest(SweepDirectory):
    def load(self, sweep: dict) -> sweep_plan.Sweep:
        return sweep_plan.load_sweep(self.write(sweep), listing())

    def test_grid_skips_misfits_and_runs_invocation_by_invocation(self):
        sweep = self.load(tiny_sweep(mutators=[1, 2], heaps=["1.5x", "3x"],
                                     invocations=3))
        self.assertEqual(sweep.skipped[0][:2], ("mark-sweep", "bump"))
        self.assertIn("sweep", sweep.skipped[0][2])
        cells = sweep_plan.schedule(sweep)
        # 3 fitting pairs x 2 heaps x 2 mutator counts, 3 times.
        self.assertEqual(len(cells), 3 * 2 * 2 * 3)
        self.assertEqual(len({cell.key() for cell in cells}), len(cells))
        self.assertEqual([cell.invocation for cell in cells],
                         sorted(cell.invocation for cell in cells))
        first = [cell.configuration() for cell in cells[:12]]
        self.assertEqual(first, [cell.configuration() for cell in cells[12:24]])
        self.assertFalse(any(cell.collector.name == "mark-sweep" and
                             cell.allocator.name == "bump" for cell in cells))

    def test_shuffle_permutes_each_invocation_alike_on_every_rerun(self):
        sweep = self.load(tiny_sweep(shuffle=True, heaps=["1.5x", "2x", "3x"],
                                     invocations=2))
        cells = sweep_plan.schedule(sweep)
        again = sweep_plan.schedule(sweep)
        self.assertEqual([c.key() for c in cells], [c.key() for c in again])
        half = len(cells) // 2
        self.assertEqual(sorted(c.configuration() for c in cells[:half]),
                         sorted(c.configuration() for c in cells[half:]))
        self.assertNotEqual([c.configuration() for c in cells[:half]],
                            [c.configuration() for c in cells[half:]])

    def test_collector_entries_narrow_allocators_and_heaps(self):
        sweep = self.load(tiny_sweep(collectors=[
            "mark-sweep", {"name": "none", "allocators": ["bump"],
                           "heaps": ["1x"], "min_heap": "own"}]))
        none = [cell for cell in sweep_plan.configurations(sweep)
                if cell.collector.name == "none"]
        self.assertEqual(len(none), 1)
        self.assertEqual(none[0].allocator.name, "bump")
        self.assertTrue(none[0].heap.own_min)
        self.assertEqual(none[0].heap.multiple, 1.0)

    def test_flags_default_to_pretouch_and_lists_are_axes(self):
        sweep = self.load(tiny_sweep(flags={"trigger": ["on-failure",
                                                        "occupancy:0.5"]}))
        cells = sweep_plan.configurations(sweep)
        self.assertEqual({dict(cell.flags)["trigger"] for cell in cells},
                         {"on-failure", "occupancy:0.5"})
        self.assertTrue(all(dict(cell.flags)["pretouch"] for cell in cells))
        off = self.load(tiny_sweep(flags={"pretouch": False}))
        self.assertFalse(any("pretouch" in dict(cell.flags)
                             for cell in sweep_plan.configurations(off)))

    def test_toml_and_json_of_one_sweep_have_one_digest(self):
        toml = self.root / "sweep.toml"
        toml.write_text('name = "tiny"\nworkloads = ["gcbench"]\n'
                        'collectors = ["mark-sweep"]\n'
                        'allocators = ["free-list"]\nheaps = ["2x"]\n')
        from_toml = sweep_plan.load_sweep(toml, listing())
        from_json = self.load({"name": "tiny", "workloads": ["gcbench"],
                               "collectors": ["mark-sweep"],
                               "allocators": ["free-list"], "heaps": ["2x"]})
        self.assertEqual(from_toml.digest, from_json.digest)


class BadSweepFileTest(SweepDirectory):
    def refuse(self, sweep, expected: str, name: str = "sweep.json"):
        path = self.root / name
        path.write_text(sweep if isinstance(sweep, str) else json.dumps(sweep))
        done = self.sweep(path)
        self.assertEqual(done.returncode, 2, done.stderr)
        lines = done.stderr.splitlines()
        self.assertEqual(len(lines), 1, done.stderr)
        self.assertTrue(lines[0].startswith("sweep: "), lines[0])
        self.assertIn(expected, lines[0])
        self.assertFalse(self.results.exists(), "a refused sweep wrote files")

    def test_unknown_collector(self):
        self.refuse(tiny_sweep(collectors=["mark-sweep", "copying"]),
                    "unknown collector 'copying'")

    def test_malformed_multiple(self):
        self.refuse(tiny_sweep(heaps=["2x", "1,5x"]), "bad heap '1,5x'")

    def test_missing_field(self):
        sweep = tiny_sweep()
        del sweep["workloads"]
        self.refuse(sweep, "missing required key 'workloads'")

    def test_unknown_key(self):
        self.refuse(tiny_sweep(repeats=3), "unknown key 'repeats'")

    def test_reserved_flag(self):
        self.refuse(tiny_sweep(flags={"heap": "64M"}),
                    "flag 'heap' is set by the sweep itself")

    def test_not_json(self):
        self.refuse('{"name": "tiny",', "is not valid JSON")

    def test_bad_invocations(self):
        self.refuse(tiny_sweep(invocations=0), "bad invocations 0")

    def test_bad_jobs(self):
        path = self.write(tiny_sweep())
        done = self.sweep(path, "--jobs", "0")
        self.assertEqual(done.returncode, 2)
        self.assertIn("bad --jobs 0", done.stderr)


class RunTest(SweepDirectory):
    def test_runs_every_cell_records_failures_and_resumes(self):
        path = self.write(tiny_sweep())
        done = self.sweep(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("skipping mark-sweep/bump", done.stderr)
        records = self.records()
        # 3 pairs x 2 heaps x 2 invocations.
        self.assertEqual(len(records), 12)
        self.assertEqual(len({r["key"] for r in records}), 12)
        for record in records:
            self.assertEqual(record["schema"], sweep_plan.SCHEMA)
            cell = record["cell"]
            if cell["heap"] == "64K":
                self.assertEqual(record["status"], "failed")
                self.assertEqual(record["failure"], "heap-exhausted")
                self.assertTrue(record["error"].startswith("heap exhausted"))
                self.assertIsNone(record["report"])
            else:
                self.assertEqual(record["status"], "ok", record["error"])
                report = record["report"]
                self.assertEqual(report["config"]["heap_bytes"],
                                 cell["heap_bytes"])
                self.assertTrue(report["config"]["pretouch"])
                self.assertEqual(cell["heap_bytes"] % 4096, 0)
                self.assertGreaterEqual(cell["heap_bytes"],
                                        2 * cell["min_heap_bytes"])
                self.assertLess(cell["heap_bytes"],
                                2 * cell["min_heap_bytes"] + 4096)
        min_heaps = json.loads((self.results / "min-heaps.json").read_text())
        self.assertEqual(len(min_heaps), 1, "one search for one workload")

        again = self.sweep(path)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("12 done, 0 to run", again.stderr)
        self.assertEqual(len(self.records()), 12)

        # Lose two lines: exactly those cells run again.
        runs = self.results / "runs.jsonl"
        lines = runs.read_text().splitlines(keepends=True)
        runs.write_text("".join(lines[:3] + lines[5:]))
        resumed = self.sweep(path)
        self.assertIn("10 done, 2 to run", resumed.stderr)
        self.assertEqual(sorted(r["key"] for r in self.records()),
                         sorted(json.loads(line)["key"] for line in lines))

    def test_a_torn_last_line_is_dropped_and_its_cell_rerun(self):
        path = self.write(tiny_sweep(heaps=["2x"], invocations=1))
        self.assertEqual(self.sweep(path).returncode, 0)
        runs = self.results / "runs.jsonl"
        whole = runs.read_text()
        runs.write_text(whole[:-40])  # a crash cut the last line short
        done = self.sweep(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("cut short by a crash", done.stderr)
        self.assertEqual(len(self.records()), 3)

    def test_a_changed_sweep_file_is_refused(self):
        path = self.write(tiny_sweep(heaps=["2x"], invocations=1))
        self.assertEqual(self.sweep(path).returncode, 0)
        changed = self.write(tiny_sweep(heaps=["2x"], invocations=2))
        done = self.sweep(changed)
        self.assertEqual(done.returncode, 2)
        self.assertIn("different definition of sweep 'tiny'", done.stderr)
        self.assertEqual(len(self.records()), 3)

    def test_parallel_jobs_run_the_same_cells(self):
        path = self.write(tiny_sweep())
        done = self.sweep(path, "--jobs", "2")
        self.assertEqual(done.returncode, 0, done.stderr)
        expected = {cell.key() for cell in sweep_plan.schedule(
            sweep_plan.load_sweep(path, listing()))}
        self.assertEqual({r["key"] for r in self.records()}, expected)

    def test_ctrl_c_keeps_whole_lines_and_the_rerun_completes(self):
        # Larger GCBench, so that Ctrl-C lands while runs are left to do
        # even on a loaded machine (the signal is sent after the first run).
        workload = {"name": "gcbench",
                    "params": {"stretch-depth": 15, "long-lived-depth": 14,
                               "array-size": 50000, "max-depth": 14}}
        path = self.write(tiny_sweep(workloads=[workload], heaps=["2x"],
                                     invocations=3))
        command = [PYTHON, str(SWEEP), "run", str(path), "--gclab",
                   gclab_binary(), "--results", str(self.results)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        runs = self.results / "runs.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and \
                (not runs.exists() or runs.read_text().count("\n") < 1):
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        self.assertEqual(process.returncode, 130, stderr)
        self.assertIn("interrupted", stderr)
        text = runs.read_text()
        self.assertTrue(text.endswith("\n"))
        interrupted = [json.loads(line) for line in text.splitlines()]
        self.assertLess(len(interrupted), 9)
        self.assertTrue(all(r["status"] == "ok" for r in interrupted))

        done = self.sweep(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        keys = [r["key"] for r in self.records()]
        self.assertEqual(len(keys), 9)
        self.assertEqual(len(set(keys)), 9)


class SweepToPlotTest(SweepDirectory):
    """A fresh sweep, lower bound included, drawn by scripts/plot: the
    figures of both workloads, with a line per configuration that ran and
    a point per heap multiple."""

    def test_a_fresh_sweep_plots(self):
        import gclab_figures
        import gclab_results
        path = self.write(tiny_sweep(
            workloads=[TINY_GCBENCH,
                       {"name": "binary-trees", "params": {"max-depth": 10}}],
            collectors=["mark-sweep", {"name": "none", "allocators": ["bump"],
                                       "heaps": ["1x"], "min_heap": "own"}],
            allocators=["bump", "free-list"], heaps=["2x", "4x"]))
        done = self.sweep(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        out = self.root / "figures"
        plotted = subprocess.run([PYTHON, str(REPO / "scripts" / "plot"),
                                  str(self.results / "runs.jsonl"), "--out",
                                  str(out), "--format", "png"],
                                 capture_output=True, text=True, timeout=120)
        self.assertEqual(plotted.returncode, 0, plotted.stderr)
        names = sorted(p.name for p in out.iterdir())
        for kind in ("pause-cdf", "mmu", "time-space", "bars", "lbo", "heap"):
            for workload in ("gcbench", "binary-trees"):
                self.assertIn(f"{kind}-{workload}.png", names)

        workloads = gclab_results.group(gclab_results.read_runs(
            [self.results / "runs.jsonl"]))
        self.assertEqual(len(workloads), 2)
        for workload in workloads:
            figure = gclab_figures.time_space_figure(workload)
            wall = figure.axes[0]
            lines = [line for line in wall.get_lines()
                     if str(line.get_gid()).startswith("series:")]
            self.assertEqual([line.get_gid() for line in lines],
                             ["series:mark-sweep/free-list"])
            self.assertEqual(list(lines[0].get_xdata()), [2.0, 4.0])
            self.assertEqual(len([line for line in wall.get_lines()
                                  if line.get_gid() == "lower-bound"]), 1)


if __name__ == "__main__":
    unittest.main()
