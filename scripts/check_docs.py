#!/usr/bin/env python3
"""Checks that gclab's documents name only what the repository has.

Reads the README, every Markdown file under docs/, and the comments of the
sources (which cite docs/ sections), and reports:
  - a repository path (heap/object.h, docs/, bench/*_test.sh) that does not
    exist; a test or binary named without its source's suffix
    (harness/mmu_test) is looked for with it; paths the repository ignores
    (run outputs such as results/compare.json) are the user's to create and
    are not checked;
  - a Markdown link to a file that does not exist, or to a heading anchor
    (design.md#mark-sweep) that the target does not have;
  - a Bazel label (//harness:gclab) whose package has no BUILD file;
  - a mention of DESIGN.md or ../shared, which users of the repository do
    not have.

Usage: scripts/check_docs.py [REPO_ROOT]   (exit status 1 when it finds any)
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Top-level directories whose paths documents name.
TOP_LEVEL = (
    "heap", "collectors", "allocators", "workloads", "harness", "bench",
    "testing", "scripts", "third_party", "docs", "results", "sweeps", ".ci",
)
# A path: a top-level directory, then path characters, ending on one that
# cannot be sentence punctuation. Braces ({h,cc}) and globs (*) are kept and
# expanded below; a placeholder such as <name> ends the path before it.
PATH = re.compile(
    r"(?<![\w/.\-])((?:%s)/(?:[\w.\-*{},/]*[\w*}/])?)" %
    "|".join(re.escape(d) for d in TOP_LEVEL))
# A source's citation of a document: docs/design.md#mark-sweep.
CITATION = re.compile(r"(?<![\w/.\-])(docs/[\w./\-]*[\w/])(?:#([\w\-]+))?")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
LABEL = re.compile(r"(?<![\w@:])//([\w/\-]*)(:[\w.\-]+|/?\.\.\.)?")
FORBIDDEN = re.compile(r"DESIGN\.md|\.\./shared")
SOURCE_SUFFIXES = (".h", ".cc", ".py", ".sh", ".go")
# This checker and its test name the forbidden words themselves.
SELF = ("scripts/check_docs.py", "scripts/check_docs_test.py")


@dataclass(frozen=True)
class Problem:
    document: str  # relative to the repository root
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.message}"


def expand_braces(text: str) -> list[str]:
    """collectors/x.{h,cc} -> [collectors/x.h, collectors/x.cc]."""
    match = re.search(r"\{([^{}]*)\}", text)
    if not match:
        return [text]
    head, tail = text[:match.start()], text[match.end():]
    return [expanded for choice in match.group(1).split(",")
            for expanded in expand_braces(head + choice + tail)]


def heading_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a document's headings."""
    anchors = set()
    for line in markdown.splitlines():
        heading = re.match(r"#+\s+(.*)", line)
        if heading:
            text = heading.group(1).strip().lower().replace("`", "")
            text = re.sub(r"[^\w\- ]", "", text)
            anchors.add(text.replace(" ", "-"))
    return anchors


class Repository:
    def __init__(self, root: Path):
        self.root = root

    def exists(self, relative: str) -> bool:
        """The path, or a source it names without its suffix (a target)."""
        candidates = [relative] + [relative + suffix
                                   for suffix in SOURCE_SUFFIXES]
        for candidate in candidates:
            if any(c in candidate for c in "*?["):
                if glob.glob(str(self.root / candidate), recursive=True):
                    return True
            elif (self.root / candidate).exists():
                return True
        return False

    def ignored(self, relative: str) -> bool:
        """Whether git ignores the path: an output the user creates."""
        try:
            result = subprocess.run(
                ["git", "-C", str(self.root), "check-ignore", "-q",
                 "--no-index", relative],
                capture_output=True, check=False)
        except OSError:
            return False
        return result.returncode == 0

    def documents(self) -> list[Path]:
        found = [self.root / "README.md"]
        found += sorted((self.root / "docs").rglob("*.md"))
        return [path for path in found if path.is_file()]

    def sources(self) -> list[Path]:
        found = []
        for directory in TOP_LEVEL:
            if directory in ("docs", "results"):
                continue
            base = self.root / directory
            if base.is_dir():
                found += sorted(path for path in base.rglob("*")
                                if path.is_file() and
                                (path.suffix in SOURCE_SUFFIXES or
                                 path.name == "BUILD" or
                                 (directory in ("scripts", ".ci") and
                                  not path.suffix)) and
                                "tbb_tsan/include" not in str(path) and
                                "tbb_tsan/lib" not in str(path))
        return found


def check_paths(repo: Repository, name: str, number: int, line: str,
                problems: list[Problem]) -> None:
    # Link targets are check_links's.
    line = re.sub(r"\]\([^)\s]+\)", "]()", line)
    for match in PATH.finditer(line):
        for path in expand_braces(match.group(1)):
            if repo.exists(path) or repo.ignored(path):
                continue
            problems.append(Problem(name, number,
                                    f"names {path}, which does not exist"))


def check_links(repo: Repository, document: Path, number: int, line: str,
                problems: list[Problem]) -> None:
    name = str(document.relative_to(repo.root))
    for match in LINK.finditer(line):
        target = match.group(1)
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part \
            else document
        if not linked.exists():
            problems.append(Problem(name, number,
                                    f"links {target}, which does not exist"))
            continue
        if anchor and linked.suffix == ".md" and \
                anchor not in heading_anchors(linked.read_text()):
            problems.append(Problem(
                name, number, f"links {target}, but {linked.name} has no "
                f"heading #{anchor}"))


def check_labels(repo: Repository, name: str, number: int, line: str,
                 problems: list[Problem]) -> None:
    for match in LABEL.finditer(line):
        package = match.group(1).rstrip("/")
        if not package and (match.group(2) or "").endswith("..."):
            continue  # //...: every package
        build = repo.root / package / "BUILD"
        if not build.exists():
            problems.append(Problem(
                name, number, f"names the Bazel label {match.group(0)}, "
                f"whose package has no BUILD file"))


def check_repository(root: Path) -> list[Problem]:
    repo = Repository(root)
    problems: list[Problem] = []
    for document in repo.documents():
        name = str(document.relative_to(root))
        for number, line in enumerate(document.read_text().splitlines(), 1):
            check_paths(repo, name, number, line, problems)
            check_links(repo, document, number, line, problems)
            check_labels(repo, name, number, line, problems)
            if FORBIDDEN.search(line):
                problems.append(Problem(
                    name, number, "points at DESIGN.md or ../shared, which "
                    "users of the repository do not have"))
    # Sources cite documents: those citations must hold too.
    for source in repo.sources():
        name = str(source.relative_to(root))
        if name in SELF:
            continue
        for number, line in enumerate(source.read_text().splitlines(), 1):
            for match in CITATION.finditer(line):
                path, anchor = match.group(1), match.group(2)
                if not repo.exists(path):
                    problems.append(Problem(
                        name, number, f"cites {path}, which does not exist"))
                elif anchor and anchor not in heading_anchors(
                        (root / path).read_text()):
                    problems.append(Problem(
                        name, number, f"cites {path}#{anchor}, a heading "
                        f"{path} does not have"))
            if FORBIDDEN.search(line):
                problems.append(Problem(
                    name, number, "points at DESIGN.md or ../shared, which "
                    "users of the repository do not have"))
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Report paths, links and labels that gclab's documents "
        "name but the repository does not have.")
    parser.add_argument(
        "root", nargs="?",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             os.pardir),
        help="the repository's root (default: this script's parent)")
    args = parser.parse_args(argv)
    problems = check_repository(Path(args.root).resolve())
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
