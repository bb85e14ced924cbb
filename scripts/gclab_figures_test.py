"""Tests of gclab_figures on the fixture: the figures' series and points,
counted on the Figure objects before saving, and the files written."""

import math
import tempfile
import unittest
from pathlib import Path

import numpy as np
from matplotlib.patches import Rectangle

import gclab_figures as figures
import gclab_fixture as fixture
import gclab_results as results


def series_lines(ax) -> dict:
    """The lines drawn for series, by label (gid "series:LABEL")."""
    return {str(line.get_gid())[len("series:"):]: line
            for line in ax.get_lines()
            if str(line.get_gid()).startswith("series:")}


def series_bars(ax) -> list:
    return [patch for patch in ax.patches if isinstance(patch, Rectangle)
            and str(patch.get_gid()).startswith("series:")]


class FixtureFiguresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        runs = results.read_runs([fixture.FIXTURE])
        cls.workloads = results.group(runs)

    def pairs_at(self, workload, multiple) -> list[str]:
        """Collected series with a successful run at this multiple."""
        return [name for name in fixture.collected_pairs(workload.name)
                if fixture.ok_reports(workload.name, name, multiple)]

    def test_time_space_has_a_line_per_series_along_its_heaps(self):
        for workload in self.workloads:
            figure = figures.time_space_figure(workload)
            try:
                for ax, field in zip(figure.axes[:2],
                                     ("wall_ns", "gc_cpu_ns")):
                    lines = series_lines(ax)
                    self.assertEqual(list(lines),
                                     fixture.collected_pairs(workload.name))
                    for name, line in lines.items():
                        multiples = fixture.multiples(workload.name, name)
                        self.assertEqual(list(line.get_xdata()), multiples)
                        means = [fixture.mean(r["time"][field] for r in
                                              fixture.ok_reports(
                                                  workload.name, name, m))
                                 if fixture.ok_reports(workload.name, name,
                                                       m) else math.nan
                                 for m in multiples]
                        np.testing.assert_allclose(
                            np.array(line.get_ydata(), dtype=float) * 1e6,
                            means, rtol=1e-9)
                floor = [line for line in figure.axes[0].get_lines()
                         if line.get_gid() == "lower-bound"]
                self.assertEqual(len(floor), 1, "none's dashed line")
                expected = fixture.mean(
                    r["time"]["wall_ns"]
                    for r in fixture.lower_bound_reports(workload.name))
                self.assertAlmostEqual(floor[0].get_ydata()[0] * 1e6,
                                       expected, places=3)
            finally:
                figures.close([figures.NamedFigure("", figure)])

    def test_every_failed_heap_is_marked(self):
        for workload in self.workloads:
            figure = figures.time_space_figure(workload)
            marked = sum(len(line.get_xdata())
                         for line in figure.axes[0].get_lines()
                         if str(line.get_gid()).startswith("failed:"))
            expected = sum(
                1 for name in fixture.collected_pairs(workload.name)
                for m in fixture.multiples(workload.name, name)
                if not fixture.ok_reports(workload.name, name, m))
            self.assertEqual(marked, expected)
            figures.close([figures.NamedFigure("", figure)])

    def test_pause_cdf_pools_every_pause_at_the_median_heap(self):
        for workload in self.workloads:
            multiple = fixture.median_multiple(workload.name)
            figure = figures.pause_cdf_figure(workload)
            lines = series_lines(figure.axes[0])
            self.assertEqual(list(lines), self.pairs_at(workload, multiple))
            for name, line in lines.items():
                pauses = [p["duration_ns"] for r in fixture.ok_reports(
                    workload.name, name, multiple)
                    for p in r["pauses"]["list"]]
                self.assertEqual(len(line.get_xdata()), len(pauses))
                self.assertEqual(line.get_ydata()[-1], 1.0)
            self.assertIn(f"{multiple:g}×", figure._suptitle.get_text())
            figures.close([figures.NamedFigure("", figure)])

    def test_mmu_and_bmu_have_a_line_per_series(self):
        for workload in self.workloads:
            multiple = fixture.median_multiple(workload.name)
            figure = figures.mmu_figure(workload)
            for ax in figure.axes[:2]:
                lines = series_lines(ax)
                self.assertEqual(list(lines),
                                 self.pairs_at(workload, multiple))
                for name, line in lines.items():
                    reports = fixture.ok_reports(workload.name, name,
                                                 multiple)
                    common = set.intersection(*(
                        {w["window_ns"] for w in r["mmu"]["windows"]}
                        for r in reports))
                    np.testing.assert_allclose(line.get_xdata() * 1e6,
                                               sorted(common))
                    values = np.asarray(line.get_ydata())
                    self.assertTrue(((values >= 0) & (values <= 1)).all())
            figures.close([figures.NamedFigure("", figure)])

    def test_bars_show_throughput_and_three_pause_statistics(self):
        for workload in self.workloads:
            multiple = fixture.median_multiple(workload.name)
            figure = figures.bars_figure(workload)
            throughput, pauses = figure.axes[:2]
            collected = self.pairs_at(workload, multiple)
            self.assertEqual(len(series_bars(throughput)),
                             len(collected) + 1, "and none's bar")
            self.assertEqual(len(series_bars(pauses)), 3 * len(collected))
            figures.close([figures.NamedFigure("", figure)])

    def test_lbo_points_are_ratios_to_none(self):
        for workload in self.workloads:
            figure = figures.lbo_figure(workload)
            floor = fixture.mean(
                r["time"]["wall_ns"]
                for r in fixture.lower_bound_reports(workload.name))
            lines = series_lines(figure.axes[0])
            self.assertEqual(list(lines),
                             fixture.collected_pairs(workload.name))
            for name, line in lines.items():
                for m, y in zip(line.get_xdata(), line.get_ydata()):
                    reports = fixture.ok_reports(workload.name, name, m)
                    if not reports:
                        self.assertTrue(math.isnan(y), "a gap where all "
                                        "runs failed")
                        continue
                    wall = fixture.mean(r["time"]["wall_ns"]
                                        for r in reports)
                    self.assertAlmostEqual(y, 100 * (wall / floor - 1))
            figures.close([figures.NamedFigure("", figure)])

    def test_lbo_needs_a_lower_bound(self):
        workload = self.workloads[0]
        without = results.Workload(workload.name, workload.params,
                                   workload.label, workload.collected)
        self.assertIsNone(figures.lbo_figure(without))

    def test_heap_figure_has_a_panel_per_series_and_a_line_per_heap(self):
        for workload in self.workloads:
            figure = figures.heap_figure(workload)
            panels = [ax for ax in figure.axes if ax.get_visible()]
            self.assertEqual(len(panels), len(workload.series))
            for ax, series in zip(panels, workload.series):
                lines = series_lines(ax)
                with_runs = [c for c in series.configurations if c.runs]
                self.assertEqual(len(lines), len(with_runs))
                for configuration, line in zip(with_runs, lines.values()):
                    cycles = results.first_invocation(
                        configuration).report["cycles"]
                    self.assertEqual(len(line.get_xdata()),
                                     2 * len(cycles) + 2)
            figures.close([figures.NamedFigure("", figure)])

    def test_every_axis_is_labelled_and_every_title_names_the_workload(self):
        for workload in self.workloads:
            drawn = figures.workload_figures(workload)
            try:
                self.assertEqual(len(drawn), len(figures.FIGURES))
                for named in drawn:
                    self.assertTrue(named.name.endswith(workload.name))
                    self.assertTrue(named.figure._suptitle.get_text()
                                    .startswith(workload.name + ":"))
                    for ax in named.figure.axes:
                        if ax.get_visible():
                            # A panel sharing its y axis shares the label.
                            sharing = ax.get_shared_y_axes().get_siblings(ax)
                            self.assertTrue(
                                any(other.get_ylabel() for other in sharing),
                                f"{named.name}: a y label")
                            self.assertTrue(ax.get_xlabel() or
                                            ax.get_xticklabels(),
                                            f"{named.name}: an x label")
            finally:
                figures.close(drawn)


class SyntheticFiguresTest(unittest.TestCase):
    def test_absolute_heaps_are_drawn_in_mib(self):
        workload = results.group(fixture.runs_of(*[
            fixture.record(f"{mib} 0", heap=f"{mib}M", heap_multiple=None,
                           heap_bytes=mib << 20, min_heap_bytes=None,
                           wall_ns=mib * 1e6) for mib in (16, 64, 32)]))[0]
        figure = figures.time_space_figure(workload)
        try:
            ax = figure.axes[0]
            (line,) = series_lines(ax).values()
            self.assertEqual(list(line.get_xdata()), [16.0, 32.0, 64.0])
            self.assertEqual(list(line.get_ydata()), [16.0, 32.0, 64.0])
            self.assertEqual(ax.get_xlabel(), "heap size (MiB)")
            self.assertEqual([t.get_text() for t in ax.get_xticklabels()],
                             ["16 MiB", "32 MiB", "64 MiB"])
        finally:
            figures.close([figures.NamedFigure("", figure)])


class SavedFiguresTest(unittest.TestCase):
    def test_png_and_svg_files_are_written_for_every_figure(self):
        # One workload: saving is the slow part, and commands_test saves
        # the other one.
        runs = results.read_runs([fixture.FIXTURE])
        workload = results.group(runs)[0]
        drawn = figures.workload_figures(workload)
        with tempfile.TemporaryDirectory() as directory:
            out = Path(directory) / "figures"
            try:
                written = figures.save_figures(drawn, out)
            finally:
                figures.close(drawn)
            expected = {f"{kind}-{fixture.workloads()[0]}.{extension}"
                        for kind, _, _ in figures.FIGURES
                        for extension in ("png", "svg")}
            self.assertEqual({path.name for path in written}, expected)
            self.assertEqual({path.name for path in out.iterdir()},
                             expected)
            for path in written:
                if path.suffix == ".png":
                    self.assertGreater(fixture.distinct_colours(path), 16,
                                       f"{path.name} looks blank")
                else:
                    text = path.read_text()
                    self.assertIn("<svg", text)
                    self.assertIn(f"{workload.name}: ", text,
                                  "the title, kept as text")


if __name__ == "__main__":
    unittest.main()
