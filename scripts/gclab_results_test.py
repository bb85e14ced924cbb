"""Tests of gclab_results: reading runs.jsonl, grouping, statistics."""

import gzip
import json
import math
import tempfile
import unittest
from pathlib import Path

import gclab_fixture as fixture
import gclab_results as results
from gclab_fixture import record, runs_of


class ReadingTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = Path(self.directory.name)

    def tearDown(self):
        self.directory.cleanup()

    def write(self, name: str, lines: list[str]) -> Path:
        path = self.root / name
        text = "".join(line + "\n" for line in lines)
        if name.endswith(".gz"):
            with gzip.open(path, "wt") as handle:
                handle.write(text)
        else:
            path.write_text(text)
        return path

    def test_plain_and_compressed_files_read_alike(self):
        lines = [json.dumps(record("a 0")), "", json.dumps(record("a 1"))]
        plain = results.read_runs([self.write("runs.jsonl", lines)])
        packed = results.read_runs([self.write("runs.jsonl.gz", lines)])
        self.assertEqual([r.key for r in plain.runs], ["a 0", "a 1"])
        self.assertEqual([r.key for r in packed.runs], ["a 0", "a 1"])

    def test_several_files_are_one_sweep(self):
        first = self.write("a.jsonl", [json.dumps(record("a 0"))])
        second = self.write("b.jsonl", [json.dumps(record("b 0"))])
        self.assertEqual(len(results.read_runs([first, second]).runs), 2)

    def test_a_line_that_is_not_json_names_its_file_and_line(self):
        path = self.write("runs.jsonl", [json.dumps(record()), "{oops"])
        with self.assertRaisesRegex(results.InputError,
                                    r"runs\.jsonl:2: not JSON"):
            results.read_runs([path])

    def test_a_wrong_schema_is_refused(self):
        line = record()
        line["schema"] = "gclab-compare/1"
        path = self.write("runs.jsonl", [json.dumps(line)])
        with self.assertRaisesRegex(results.InputError,
                                    "schema is 'gclab-compare/1'"):
            results.read_runs([path])

    def test_a_missing_field_is_named(self):
        line = record()
        del line["cell"]["collector"]
        path = self.write("runs.jsonl", [json.dumps(line)])
        with self.assertRaisesRegex(results.InputError,
                                    "missing field 'cell.collector'"):
            results.read_runs([path])

    def test_a_successful_run_needs_its_report(self):
        line = record()
        line["report"] = None
        path = self.write("runs.jsonl", [json.dumps(line)])
        with self.assertRaisesRegex(results.InputError, "report.time"):
            results.read_runs([path])

    def test_a_missing_file_and_an_empty_one_are_input_errors(self):
        with self.assertRaisesRegex(results.InputError, "cannot read"):
            results.read_runs([self.root / "absent.jsonl"])
        with self.assertRaisesRegex(results.InputError, "no runs"):
            results.read_runs([self.write("empty.jsonl", [])])

    def test_a_gzip_file_that_is_not_gzip_is_an_input_error(self):
        path = self.root / "runs.jsonl.gz"
        path.write_text("plain text\n")
        with self.assertRaisesRegex(results.InputError, "cannot read"):
            results.read_runs([path])

    def test_a_repeated_key_keeps_the_last_run(self):
        path = self.write("runs.jsonl", [
            json.dumps(record("a 0", status="failed")),
            json.dumps(record("a 0", wall_ns=5.0))])
        runs = results.read_runs([path])
        self.assertEqual(len(runs.runs), 1)
        self.assertTrue(runs.runs[0].ok)
        self.assertEqual(runs.replaced, ["a 0"])

    def test_failures_alone_are_refused(self):
        path = self.write("runs.jsonl",
                          [json.dumps(record(status="failed"))])
        with self.assertRaisesRegex(results.InputError,
                                    "no successful runs"):
            results.require_successful(results.read_runs([path]))

    def test_the_lower_bound_alone_is_refused(self):
        path = self.write("runs.jsonl", [
            json.dumps(record("n 0", collector="none")),
            json.dumps(record("m 0", status="failed"))])
        with self.assertRaisesRegex(results.InputError,
                                    "no successful runs of a collector"):
            results.require_successful(results.read_runs([path]))


class StatisticsTest(unittest.TestCase):
    def test_mean_ci_is_students_t(self):
        # 10, 12, 14, 16: mean 13, s = sqrt(20/3) = 2.58199, and the t
        # table's t(0.975, 3) = 3.182, so the half-width is 4.108.
        estimate = results.mean_ci([10.0, 12.0, 14.0, 16.0])
        self.assertEqual(estimate.mean, 13.0)
        self.assertEqual(estimate.n, 4)
        self.assertAlmostEqual(estimate.half_width,
                               3.182 * math.sqrt(20 / 3) / 2, places=2)

    def test_one_value_has_no_interval_and_none_no_mean(self):
        self.assertTrue(math.isnan(results.mean_ci([5.0]).half_width))
        self.assertEqual(results.mean_ci([5.0]).mean, 5.0)
        self.assertTrue(math.isnan(results.mean_ci([]).mean))

    def test_t_quantile_matches_the_table(self):
        self.assertAlmostEqual(results.t_quantile(1), 12.706, places=3)
        self.assertAlmostEqual(results.t_quantile(10), 2.228, places=3)

    def test_ratio_ci_propagates_the_numerators_error(self):
        # 2 and 4 over 1 and 1: ratio 3; the denominator has no variance,
        # so the relative SE is the numerator's, sqrt(2/2)/3, the SE of the
        # ratio 1, and df 1 (t 12.706).
        estimate = results.ratio_ci([2.0, 4.0], [1.0, 1.0])
        self.assertAlmostEqual(estimate.mean, 3.0)
        self.assertAlmostEqual(estimate.half_width, 12.706, places=3)

    def test_ratio_ci_adds_relative_variances(self):
        # Both sides with relative SE 0.1/1 and 0.2/2: the ratio's relative
        # SE is sqrt(0.01 + 0.01), Welch's df 0.02^2 / (0.01^2 + 0.01^2) = 2.
        top = [0.9, 1.1]  # mean 1, SE 0.1
        bottom = [1.8, 2.2]  # mean 2, SE 0.2
        estimate = results.ratio_ci(top, bottom)
        self.assertAlmostEqual(estimate.mean, 0.5)
        expected = 4.303 * 0.5 * math.sqrt(0.02)  # t(0.975, 2) = 4.303
        self.assertAlmostEqual(estimate.half_width, expected, places=3)


class GroupingTest(unittest.TestCase):
    def test_labels_name_what_varies_between_series(self):
        workloads = results.group(runs_of(
            record("a 0", mutators=1), record("b 0", mutators=2),
            record("n 0", collector="none", allocator="bump")))
        self.assertEqual([s.label for s in workloads[0].series],
                         ["mark-sweep/free-list mutators=1",
                          "mark-sweep/free-list mutators=2",
                          "none/bump (lower bound)"])

    def test_lbo_compares_with_none_at_the_same_mutators(self):
        workloads = results.group(runs_of(
            record("n1 0", collector="none", mutators=1, wall_ns=10.0),
            record("n2 0", collector="none", mutators=2, wall_ns=20.0),
            record("m2 0", mutators=2, wall_ns=30.0)))
        workload = workloads[0]
        series = workload.collected[0]
        lower = workload.lower_bound_for(series)
        self.assertEqual(lower.cell["mutators"], 2)
        estimate = results.lower_bound_overhead(
            series.configurations[0], lower, results.wall_ns)
        self.assertAlmostEqual(estimate.mean, 0.5)

    def test_absolute_heaps_are_placed_in_mib(self):
        workloads = results.group(runs_of(
            record("a 0", heap="64M", heap_multiple=None,
                   heap_bytes=64 << 20, min_heap_bytes=None),
            record("b 0", heap="32M", heap_multiple=None,
                   heap_bytes=32 << 20, min_heap_bytes=None)))
        workload = workloads[0]
        self.assertTrue(workload.absolute_heaps)
        self.assertEqual(workload.heap_points(), [32.0, 64.0])
        self.assertIn("MiB", workload.heap_axis_label)

    def test_a_multiple_is_computed_from_the_minimum_when_absent(self):
        workloads = results.group(runs_of(record(
            "a 0", heap="3M", heap_multiple=None, heap_bytes=3 << 20,
            min_heap_bytes=2 << 20)))
        self.assertFalse(workloads[0].absolute_heaps)
        self.assertEqual(workloads[0].heap_points(), [1.5])

    def test_one_workload_with_two_parameter_sets_is_two_workloads(self):
        workloads = results.group(runs_of(
            record("a 0", workload_params={"max-depth": 14}),
            record("b 0", workload_params={"max-depth": 16})))
        self.assertEqual([w.label for w in workloads],
                         ["gcbench max-depth=14", "gcbench max-depth=16"])


class FixtureGroupingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runs = results.read_runs([fixture.FIXTURE])
        cls.workloads = results.group(cls.runs)
        cls.records = fixture.records()

    def workload(self, name: str) -> results.Workload:
        return next(w for w in self.workloads if w.name == name)

    def test_every_line_is_read_and_failures_counted(self):
        self.assertEqual(len(self.runs.runs), len(self.records))
        self.assertEqual(len(self.runs.failed),
                         sum(r["status"] == "failed" for r in self.records))
        self.assertGreater(len(self.runs.failed), 0,
                           "the fixture should hold a failed cell")

    def test_workloads_and_series_follow_the_sweep(self):
        self.assertEqual([w.name for w in self.workloads],
                         fixture.workloads())
        for name in fixture.workloads():
            workload = self.workload(name)
            self.assertEqual([s.label for s in workload.collected],
                             fixture.collected_pairs(name))
            self.assertIsNotNone(workload.lower_bound)

    def test_configurations_group_invocations(self):
        configurations = {r["configuration"] for r in self.records}
        grouped = [c for w in self.workloads for s in w.series
                   for c in s.configurations]
        self.assertEqual(len(grouped), len(configurations))
        for configuration in grouped:
            expected = [r for r in self.records
                        if r["configuration"] == configuration.name]
            self.assertEqual(len(configuration.runs) +
                             len(configuration.failed), len(expected))

    def test_series_run_along_the_heap_multiples(self):
        for workload in self.workloads:
            for series in workload.collected:
                self.assertEqual(
                    [workload.heap_x(c) for c in series.configurations],
                    fixture.multiples(workload.name, series.label))

    def test_the_default_heap_is_the_median_present(self):
        for workload in self.workloads:
            self.assertEqual(workload.choose_heap(),
                             fixture.median_multiple(workload.name))
            self.assertEqual(workload.choose_heap(100.0),
                             max(workload.heap_points()))

    def test_lbo_is_the_ratio_of_mean_wall_times_minus_one(self):
        workload = self.workload(fixture.workloads()[0])
        series = workload.collected[0]
        configuration = next(c for c in series.configurations if c.runs)
        multiple = workload.heap_x(configuration)
        walls = [r["time"]["wall_ns"] for r in fixture.ok_reports(
            workload.name, series.label, multiple)]
        floor = [r["time"]["wall_ns"]
                 for r in fixture.lower_bound_reports(workload.name)]
        estimate = results.lower_bound_overhead(
            configuration, workload.lower_bound, results.wall_ns)
        self.assertAlmostEqual(estimate.mean,
                               fixture.mean(walls) / fixture.mean(floor) - 1)

    def test_mmu_curve_averages_the_windows_all_runs_have(self):
        workload = self.workloads[0]
        configuration = workload.at_heap(workload.collected[0],
                                         workload.choose_heap())
        reports = configuration.reports
        windows, mmu, _ = results.mmu_curve(reports)
        common = set.intersection(*({w["window_ns"] for w in
                                     r["mmu"]["windows"]} for r in reports))
        self.assertEqual(list(windows), sorted(common))
        first = min(common)
        expected = fixture.mean(w["mmu"] for r in reports
                                for w in r["mmu"]["windows"]
                                if w["window_ns"] == first)
        self.assertAlmostEqual(mmu[0], expected)

    def test_occupancy_trace_has_two_points_a_cycle(self):
        run = results.first_invocation(self.workloads[0].collected[0]
                                       .configurations[-1])
        times, used = results.occupancy_trace(run.report)
        self.assertEqual(len(times), 2 * len(run.report["cycles"]) + 2)
        self.assertTrue((times[1:] >= times[:-1]).all(),
                        "the trace should run forward in time")
        self.assertEqual(used[-1],
                         run.report["heap"]["final"]["in_use_bytes"])


if __name__ == "__main__":
    unittest.main()
