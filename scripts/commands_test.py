"""Tests of scripts/plot and scripts/report as commands: what they print,
write and exit with, good input and bad. Bad input is tried in-process
(main() of each script, loaded from its file), which keeps the many cases
quick; a good run of each goes through its shebang, as a user runs it."""

import contextlib
import gzip
import importlib.machinery
import importlib.util
import io
import json
import subprocess
import tempfile
import unittest
from pathlib import Path

import gclab_fixture as fixture

PLOT = fixture.SCRIPTS / "plot"
REPORT = fixture.SCRIPTS / "report"


def run(command: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(command), *args], capture_output=True,
                          text=True, timeout=120, check=False)


def load(command: Path):
    """A script without a .py suffix, imported as a module."""
    loader = importlib.machinery.SourceFileLoader(command.name, str(command))
    spec = importlib.util.spec_from_loader(command.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def run_main(command: Path, *args: str) -> tuple[int, str]:
    """main()'s exit status and what it wrote on stderr."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), \
            contextlib.redirect_stdout(io.StringIO()):
        status = load(command).main(list(args))
    return status, stderr.getvalue()


class CommandsTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = Path(self.directory.name)

    def tearDown(self):
        self.directory.cleanup()

    def small_plain_runs(self, keep_failures: bool = False) -> Path:
        """The fixture's last workload alone (and, when asked, every failed
        run), uncompressed: one workload keeps the commands' tests quick,
        and plain JSONL is the other format they read."""
        workload = fixture.workloads()[-1]
        path = self.root / "runs.jsonl"
        with gzip.open(fixture.FIXTURE, "rt") as source, \
                open(path, "w") as target:
            for line in source:
                record = json.loads(line)
                if record["cell"]["workload"] == workload or \
                        keep_failures and record["status"] == "failed":
                    target.write(line)
        return path

    def assert_bad_input(self, outcome: tuple[int, str], fragment: str):
        status, stderr = outcome
        self.assertEqual(status, 2, stderr)
        lines = stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, stderr)
        self.assertIn(fragment, lines[0])

    def test_plot_writes_lists_and_counts_what_it_skipped(self):
        path = self.small_plain_runs(keep_failures=True)
        lines = path.read_text().splitlines()
        failed = sum(json.loads(line)["status"] == "failed"
                     for line in lines)
        self.assertGreater(failed, 0, "the fixture should hold failures")
        out = self.root / "figures"
        result = run(PLOT, str(path), "--out", str(out), "--format", "svg")
        self.assertEqual(result.returncode, 0, result.stderr)
        listed = result.stdout.split()
        self.assertEqual(sorted(Path(p).name for p in listed),
                         sorted(p.name for p in out.iterdir()))
        self.assertEqual(len(listed), 6, "six figures of one workload")
        self.assertTrue(all(p.endswith(".svg") for p in listed))
        self.assertIn(f"skipped {failed} failed of {len(lines)} runs",
                      result.stderr)

    def test_bad_input_exits_2_with_one_line(self):
        missing = self.root / "absent.jsonl"
        not_jsonl = self.root / "notes.jsonl"
        not_jsonl.write_text("these are notes\n")
        wrong = self.root / "compare.jsonl"
        wrong.write_text(json.dumps({"schema_version": 1,
                                     "kind": "compare"}) + "\n")
        failures = self.root / "failed.jsonl"
        with gzip.open(fixture.FIXTURE, "rt") as source:
            failures.write_text("".join(
                line for line in source
                if json.loads(line)["status"] == "failed"))
        cases = [(missing, "cannot read"), (not_jsonl, "not JSON"),
                 (wrong, "schema is None"),
                 (failures, "no successful runs")]
        for command in (PLOT, REPORT):
            for path, fragment in cases:
                with self.subTest(command=command.name, input=path.name):
                    self.assert_bad_input(run_main(
                        command, str(path), "--out",
                        str(self.root / "out.html")), fragment)

    def test_plot_refuses_an_unknown_format(self):
        with self.assertRaises(SystemExit) as exit_status, \
                contextlib.redirect_stderr(io.StringIO()):
            load(PLOT).main([str(fixture.FIXTURE), "--out", str(self.root),
                             "--format", "pdf"])
        self.assertEqual(exit_status.exception.code, 2)

    def test_report_writes_one_page(self):
        out = self.root / "report.html"
        result = run(REPORT, str(self.small_plain_runs()), "--out", str(out))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), str(out))
        self.assertIn("<img", out.read_text())


if __name__ == "__main__":
    unittest.main()
