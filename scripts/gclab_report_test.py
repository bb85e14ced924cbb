"""Tests of gclab_report: the page from the fixture is whole, self-contained
and readable, and a headless browser draws it."""

import html
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import gclab_figures as figures
import gclab_fixture as fixture
import gclab_report as report
import gclab_results as results

CHROMIUM = Path("/usr/bin/chromium")


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        cls.root = Path(cls.directory.name)
        cls.runs = results.read_runs([fixture.FIXTURE])
        cls.path = cls.root / "out" / "report.html"
        report.write(cls.runs, [fixture.FIXTURE], cls.path)
        cls.page = cls.path.read_text(encoding="utf-8")

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def test_the_page_is_written_whole(self):
        self.assertTrue(self.page.startswith("<!DOCTYPE html>"))
        self.assertTrue(self.page.rstrip().endswith("</html>"))

    def test_nothing_is_fetched(self):
        self.assertNotRegex(self.page, r'(src|href)="(https?:)?//')
        self.assertNotIn("<script", self.page)
        self.assertNotIn("<link", self.page)
        self.assertNotRegex(self.page, r"url\(")

    def test_every_figure_is_an_inline_image(self):
        sources = re.findall(r'<img [^>]*src="([^"]*)"', self.page)
        expected = len(figures.FIGURES) * len(fixture.workloads())
        self.assertEqual(len(sources), expected)
        for source in sources:
            self.assertTrue(source.startswith("data:image/png;base64,"),
                            source[:40])

    def summary_rows(self, workload: str) -> list[str]:
        """The text of each row of a workload's section's tables."""
        section = self.page.split(f'<h2 id="w-{workload}">', 1)[1]
        section = section.split("<h2", 1)[0]
        return [html.unescape(re.sub(r"<[^>]+>", " ", row))
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section,
                                      flags=re.S)]

    def test_every_configuration_has_a_row(self):
        configurations = {r["configuration"]: r for r in fixture.records()}
        for record in configurations.values():
            cell = record["cell"]
            if cell["collector"] == "none":
                heap = f"{cell['heap_multiple']:g}× its own minimum"
            else:
                heap = f"{cell['heap_multiple']:g}×"
            label = fixture.pair(record)
            with self.subTest(configuration=record["configuration"]):
                matching = [row for row in self.summary_rows(cell["workload"])
                            if row.split()[:1] == [label] and
                            f" {heap} " in f" {row} "]
                self.assertEqual(len(matching), 1, "one summary row")

    def test_failures_are_listed_with_their_errors(self):
        for record in fixture.records():
            if record["status"] == "failed":
                self.assertIn(html.escape(record["key"]), self.page)
                self.assertIn(html.escape(record["error"]), self.page)

    def test_the_sweep_and_environment_are_named(self):
        first = next(r for r in fixture.records() if r["status"] == "ok")
        self.assertIn(first["sweep"]["digest"], self.page)
        for name in ("git_commit", "compiler", "build_mode", "cpu_model"):
            self.assertIn(html.escape(first["report"]["environment"][name]),
                          self.page)

    def test_a_headless_browser_draws_the_page(self):
        if not CHROMIUM.exists():
            self.skipTest(f"{CHROMIUM} is missing (apt-get install "
                          "chromium), so the page was not rendered")
        profile = self.root / "profile"
        shot = self.root / "shot.png"
        result = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}",
             f"--screenshot={shot}", "--window-size=1280,4000",
             self.path.as_uri()],
            capture_output=True, text=True, timeout=60, check=False)
        shutil.rmtree(profile, ignore_errors=True)
        self.assertTrue(shot.exists(),
                        f"no screenshot; chromium said: {result.stderr}")
        self.assertGreater(fixture.distinct_colours(shot), 50,
                           "the screenshot looks blank")


class FormattingTest(unittest.TestCase):
    def test_an_estimate_shows_its_interval_or_its_count(self):
        self.assertEqual(report.format_estimate(
            results.Estimate(12.34e6, 1.5e6, 3), 1e6), "12.3 ± 1.5")
        self.assertEqual(report.format_estimate(
            results.Estimate(12.34e6, float("nan"), 1), 1e6), "12.3 (n=1)")
        self.assertEqual(report.format_estimate(results.NO_ESTIMATE, 1), "—")

    def test_durations_keep_short_units(self):
        self.assertEqual(report.format_duration(4100), "4.1 µs")
        self.assertEqual(report.format_duration(1.08e6), "1.08 ms")
        self.assertEqual(report.format_duration(float("nan")), "—")


if __name__ == "__main__":
    unittest.main()
