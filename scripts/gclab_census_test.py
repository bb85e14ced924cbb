"""Tests of the census figure (gclab_census) on made-up reports, and of
`scripts/plot census` on a real run of the leak workload."""

import contextlib
import importlib.machinery
import importlib.util
import io
import json
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np

import gclab_census as census_figures
from gclab_binary import gclab_binary

PLOT = Path(__file__).resolve().parent / "plot"
MIB = 1 << 20


def report(sites_by_census: list, growing=(), interval=None) -> dict:
    """A run's report with one census per entry: {site: bytes}."""
    censuses = [{"index": i, "time_ns": 1_000_000 * (i + 1), "cycle": None,
                 "allocated_objects": 1000 * i,
                 "allocated_bytes": 2 * MIB * (i + 1), "duration_ns": 1,
                 "sites": [{"site": name, "objects": 1, "bytes": value}
                           for name, value in sites.items()],
                 "ages": []}
                for i, sites in enumerate(sites_by_census)]
    document = {"config": {"workload": "leak", "collector": "none",
                           "allocator": "bump"},
                "census": {"interval_allocations": interval,
                           "censuses": censuses}}
    if growing:
        document["leaks"] = {"growing_sites": [{"site": name}
                                               for name in growing]}
    return document


def areas(figure) -> dict:
    """The figure's stacked areas by site (gid "site:NAME"), bottom first."""
    return {str(collection.get_gid())[len("site:"):]: collection
            for collection in figure.axes[0].collections
            if str(collection.get_gid()).startswith("site:")}


def top_of(area) -> float:
    return max(vertex[1] for vertex in area.get_paths()[0].vertices)


class CensusFigureTest(unittest.TestCase):
    def test_growing_sites_lie_at_the_bottom_in_red_and_hatched(self):
        census = census_figures.census_of(report(
            [{"cache": 4 * MIB, "leak": 1 * MIB},
             {"cache": 3 * MIB, "leak": 2 * MIB, "request": MIB},
             {"cache": 4 * MIB, "leak": 3 * MIB}], growing=["leak"]))
        figure = census_figures.census_figure(census)
        try:
            drawn = areas(figure)
            self.assertEqual(list(drawn), ["leak", "cache", "request"])
            self.assertEqual(drawn["leak"].get_hatch(), "//")
            self.assertIsNone(drawn["cache"].get_hatch())
            np.testing.assert_allclose(
                drawn["leak"].get_facecolor()[0][:3],
                matplotlib_rgb(census_figures.GROWING_COLOUR))
            # The stack's top is every site's bytes added up.
            self.assertAlmostEqual(top_of(drawn["request"]), 7.0)
            self.assertAlmostEqual(top_of(drawn["leak"]), 3.0)
            labels = [text.get_text()
                      for text in figure.axes[0].get_legend().get_texts()]
            self.assertIn("leak (growing)", labels)
        finally:
            census_figures.plt.close(figure)

    def test_x_is_time_or_allocated(self):
        census = census_figures.census_of(report([{"a": 1}, {"a": 2}]))
        np.testing.assert_allclose(census.x_ms, [1.0, 2.0])
        np.testing.assert_allclose(census.x_mib, [2.0, 4.0])
        figure = census_figures.census_figure(census, "allocated")
        try:
            self.assertEqual(figure.axes[0].get_xlim(), (2.0, 4.0))
            self.assertIn("allocated", figure.axes[0].get_xlabel())
        finally:
            census_figures.plt.close(figure)

    def test_many_sites_keep_the_largest_and_add_up_the_rest(self):
        sites = {f"s{i:02d}": (i + 1) * 100 for i in range(12)}
        census = census_figures.census_of(report([sites, sites]))
        stack = census_figures.stacked_sites(census)
        names = [name for name, _ in stack]
        self.assertEqual(len(names), census_figures.MAX_SITES + 1)
        self.assertEqual(names[0], "s11", "the largest first")
        self.assertEqual(names[-1], census_figures.OTHER_SITES)
        np.testing.assert_allclose(stack[-1][1], [1000, 1000])  # s00-s03

    def test_a_site_absent_from_a_census_has_nothing_there(self):
        census = census_figures.census_of(report([{"a": 5}, {"b": 7}]))
        np.testing.assert_allclose(census.bytes_by_site["a"], [5, 0])
        np.testing.assert_allclose(census.bytes_by_site["b"], [0, 7])

    def test_a_report_without_censuses_is_refused(self):
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            (root / "plain.json").write_text(json.dumps({"config": {}}))
            (root / "notes.json").write_text("notes")
            for name, fragment in [("plain.json", "has no censuses"),
                                   ("notes.json", "is not JSON"),
                                   ("absent.json", "cannot read")]:
                with self.subTest(name), self.assertRaises(
                        census_figures.InputError) as error:
                    census_figures.read_census(root / name)
                self.assertIn(fragment, str(error.exception))


def matplotlib_rgb(colour: str) -> tuple:
    from matplotlib.colors import to_rgb
    return to_rgb(colour)


def load_plot():
    loader = importlib.machinery.SourceFileLoader("plot", str(PLOT))
    spec = importlib.util.spec_from_loader("plot", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class PlotCensusCommandTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = Path(self.directory.name)

    def tearDown(self):
        self.directory.cleanup()

    def test_plots_a_real_leak_report(self):
        run_json = self.root / "leak.json"
        subprocess.run(
            [gclab_binary(), "run", "--collector=none", "--allocator=bump",
             "--workload=leak", "--heap=64M", "--param=requests=20000",
             "--param=working-set=64", "--census=4000", "--leak-report",
             "--quiet", f"--json={run_json}"], check=True, timeout=120)
        out = self.root / "figures" / "census.png"
        result = subprocess.run([str(PLOT), "census", str(run_json), "-o",
                                 str(out)], capture_output=True, text=True,
                                timeout=120, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), str(out))
        self.assertTrue(out.read_bytes().startswith(b"\x89PNG"))
        census = census_figures.read_census(run_json)
        self.assertEqual(census.growing, ["leak.retained"])

    def test_bad_input_exits_2_with_one_line(self):
        plain = self.root / "plain.json"
        plain.write_text(json.dumps({"config": {}}))
        for args, fragment in [
                ([str(plain), "-o", str(self.root / "c.png")],
                 "has no censuses"),
                ([str(plain), "-o", str(self.root / "c.pdf")],
                 "should end in .png or .svg")]:
            with self.subTest(fragment):
                stderr = io.StringIO()
                with contextlib.redirect_stderr(stderr), \
                        contextlib.redirect_stdout(io.StringIO()):
                    status = load_plot().main(["census", *args])
                self.assertEqual(status, 2)
                lines = stderr.getvalue().strip().splitlines()
                self.assertEqual(len(lines), 1, stderr.getvalue())
                self.assertIn(fragment, lines[0])


if __name__ == "__main__":
    unittest.main()
