"""The gclab binary the Python tests run: $GCLAB_BINARY (scripts/test sets
it to the build its Bazel tests just made), else the default Bazel build,
built now if needed."""

import functools
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@functools.cache
def gclab_binary() -> str:
    path = os.environ.get("GCLAB_BINARY")
    if path:
        return path
    subprocess.run(["bazel", "build", "--noshow_progress", "//harness:gclab"],
                   cwd=REPO, check=True, capture_output=True)
    info = subprocess.run(["bazel", "info", "bazel-bin"], cwd=REPO, check=True,
                          capture_output=True, text=True)
    return str(Path(info.stdout.strip()) / "harness" / "gclab")
