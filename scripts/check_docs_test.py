"""Tests of scripts/check_docs.py, and the check itself on this repository."""

import subprocess
import tempfile
import unittest
from pathlib import Path

import check_docs

REPO_ROOT = Path(__file__).resolve().parent.parent


class CheckDocsTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = Path(self.directory.name)
        subprocess.run(["git", "init", "-q", str(self.root)], check=True)
        (self.root / ".gitignore").write_text("/results/*\n")
        (self.root / "heap").mkdir()
        (self.root / "heap" / "object.h").write_text("// objects\n")
        (self.root / "heap" / "BUILD").write_text("")
        (self.root / "heap" / "mmu_test.cc").write_text("")
        (self.root / "docs").mkdir()
        (self.root / "docs" / "design.md").write_text(
            "# Design\n\n## The heap\n\n### `mark-sweep`\n")

    def tearDown(self):
        self.directory.cleanup()

    def problems(self, readme: str) -> list[str]:
        (self.root / "README.md").write_text(readme)
        return [problem.message
                for problem in check_docs.check_repository(self.root)]

    def test_existing_paths_pass(self):
        self.assertEqual(self.problems(
            "See `heap/object.h`, heap/{object.h,BUILD}, heap/*.h and "
            "heap/mmu_test (a test named by its target).\n"), [])

    def test_a_missing_path_is_reported(self):
        self.assertEqual(self.problems("Read heap/verifier.h.\n"),
                         ["names heap/verifier.h, which does not exist"])

    def test_each_brace_expansion_is_checked(self):
        self.assertEqual(self.problems("heap/object.{h,cc}\n"),
                         ["names heap/object.cc, which does not exist"])

    def test_ignored_run_outputs_are_not_checked(self):
        self.assertEqual(self.problems("--json results/compare.json\n"), [])

    def test_placeholders_end_a_path(self):
        self.assertEqual(self.problems("write heap/<name>.{h,cc}\n"), [])

    def test_links_and_their_anchors_must_resolve(self):
        self.assertEqual(self.problems(
            "[ok](docs/design.md#mark-sweep) [also](docs/design.md#the-heap)"
            " [web](https://example.org/x)\n"), [])
        self.assertEqual(
            self.problems("[bad](docs/design.md#mark-compact)\n"),
            ["links docs/design.md#mark-compact, but design.md has no "
             "heading #mark-compact"])
        self.assertEqual(self.problems("[gone](docs/metrics.md)\n"),
                         ["links docs/metrics.md, which does not exist"])

    def test_labels_need_their_package(self):
        self.assertEqual(self.problems("bazel test //heap:mmu_test //...\n"),
                         [])
        self.assertEqual(
            self.problems("bazel run //bench:sweep_bench\n"),
            ["names the Bazel label //bench:sweep_bench, whose package has "
             "no BUILD file"])

    def test_private_documents_are_reported(self):
        self.assertEqual(len(self.problems("see DESIGN.md\n")), 1)
        self.assertEqual(len(self.problems("see ../shared/STYLE.md\n")), 1)

    def test_sources_citing_missing_documents_are_reported(self):
        (self.root / "heap" / "object.h").write_text(
            "// Design note: docs/design.md#mark-sweep and docs/gone.md\n"
            "// and docs/design.md#mark-compact.\n")
        self.assertEqual(self.problems(""), [
            "cites docs/gone.md, which does not exist",
            "cites docs/design.md#mark-compact, a heading docs/design.md "
            "does not have"])


class RepositoryDocumentsTest(unittest.TestCase):
    def test_every_path_the_documents_name_exists(self):
        problems = check_docs.check_repository(REPO_ROOT)
        self.assertEqual([str(problem) for problem in problems], [])


if __name__ == "__main__":
    unittest.main()
