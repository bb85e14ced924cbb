"""Runs sweep cells, each in a fresh `gclab run` process, and records them.

The local backend runs the schedule (sweep_plan.schedule) in order, one
cell at a time by default. `--jobs N` runs N at once: on a machine with
fewer free cores than N x (mutators + GC threads) the runs then compete for
cores, caches and memory bandwidth, which lengthens wall times and pauses by
amounts that depend on what happened to run beside them, so timings from
parallel sweeps are for correctness and coverage, not for figures.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from sweep_plan import SCHEMA, Cell, SweepError

REPO = Path(__file__).resolve().parent.parent
GRANULE = 4096


class Gclab:
    """The gclab binary a sweep runs, and what `gclab list --json` says."""

    def __init__(self, binary: Path):
        self.binary = binary
        self.env = dict(os.environ)
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                                capture_output=True, text=True)
        if commit.returncode == 0 and "GCLAB_GIT_COMMIT" not in self.env:
            self.env["GCLAB_GIT_COMMIT"] = commit.stdout.strip()
        listed = subprocess.run([str(binary), "list", "--json"],
                                capture_output=True, text=True, env=self.env)
        if listed.returncode != 0:
            raise SweepError(f"{binary} list --json failed: "
                             f"{listed.stderr.strip()}")
        self.listing = json.loads(listed.stdout)


def find_gclab(explicit: str | None) -> Gclab:
    """--gclab PATH, else $GCLAB_BINARY, else the optimised build that
    scripts/gclab makes (built now if needed): sweeps are measurements."""
    path = explicit or os.environ.get("GCLAB_BINARY")
    if path:
        binary = Path(path).resolve()
        if not os.access(binary, os.X_OK):
            raise SweepError(f"{path} is not an executable gclab")
        return Gclab(binary)
    build = subprocess.run([str(REPO / "scripts" / "gclab"), "list"],
                           stdout=subprocess.DEVNULL)
    if build.returncode != 0:
        raise SweepError("scripts/gclab could not build gclab")
    info = subprocess.run(["bazel", "info", "--config=opt", "bazel-bin"],
                          cwd=REPO, capture_output=True, text=True)
    return Gclab(Path(info.stdout.strip()) / "harness" / "gclab")


def first_error_line(stderr: str, returncode: int) -> str:
    for line in stderr.splitlines():
        if line.startswith("gclab: "):
            return line[len("gclab: "):]
    lines = [line for line in stderr.splitlines() if line.strip()]
    status = (f"killed by signal {-returncode}" if returncode < 0
              else f"exit status {returncode}")
    return f"{lines[-1]} ({status})" if lines else status


def round_to_granule(size: float) -> int:
    return max(GRANULE, int(-(-size // GRANULE)) * GRANULE)


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


# --- minimum heaps -----------------------------------------------------------

def min_heap_key(sweep, cell: Cell) -> str:
    """Which search a cell's multiple refers to: the workload's (under the
    sweep's reference pair) or, for a collector with min_heap = "own", the
    pair's own; either at the cell's mutator count, which changes it."""
    if cell.heap.own_min:
        pair = f"{cell.collector.label()}/{cell.allocator.label()}"
    else:
        pair = f"{sweep.min_heap['collector']}/{sweep.min_heap['allocator']}"
    return (f"{pair} {cell.workload.label()} mutators={cell.mutators} "
            f"precision={sweep.min_heap['precision']}")


def min_heap_args(sweep, cell: Cell) -> list:
    if cell.heap.own_min:
        collector, allocator = cell.collector, cell.allocator
        params = (collector.param_args("collector") +
                  allocator.param_args("allocator"))
        names = (collector.name, allocator.name)
    else:
        names = (sweep.min_heap["collector"], sweep.min_heap["allocator"])
        params = []
    return ["minheap", f"--collector={names[0]}", f"--allocator={names[1]}",
            f"--workload={cell.workload.name}",
            *cell.workload.param_args("workload"), *params,
            f"--mutators={cell.mutators}",
            f"--precision={sweep.min_heap['precision']}", "--quiet"]


def find_min_heaps(sweep, cells: list, folder, gclab: Gclab) -> dict:
    """Every minimum heap the cells' multiples need, searched once and kept
    in the results folder. A search that fails is kept as its error: the
    cells that need it are recorded as failed, and the sweep goes on."""
    min_heaps = folder.min_heaps()
    needed = {}
    for cell in cells:
        if cell.heap.multiple is not None:
            needed.setdefault(min_heap_key(sweep, cell), cell)
    missing = [key for key in needed if key not in min_heaps]
    for key in tqdm(missing, desc="minimum heaps", unit="search",
                    file=sys.stderr, disable=not missing):
        with tempfile.TemporaryDirectory() as directory:
            output = Path(directory) / "minheap.json"
            args = min_heap_args(sweep, needed[key])
            done = subprocess.run([str(gclab.binary), *args,
                                   f"--json={output}"],
                                  capture_output=True, text=True,
                                  env=gclab.env)
            if done.returncode == 0:
                document = json.loads(output.read_text())
                min_heaps[key] = {"min_heap_bytes": document["min_heap_bytes"],
                                  "search": document}
            else:
                min_heaps[key] = {"error": first_error_line(done.stderr,
                                                            done.returncode)}
        folder.save_min_heaps(min_heaps)
        result = min_heaps[key]
        tqdm.write(f"minimum heap of {key}: "
                   + (f"{result['min_heap_bytes']} bytes"
                      if "error" not in result else result["error"]),
                   file=sys.stderr)
    return min_heaps


def heap_of(sweep, cell: Cell, min_heaps: dict) -> tuple:
    """(heap bytes, minimum heap bytes or None, error or None)."""
    if cell.heap.multiple is None:
        return parse_size(cell.heap.text), None, None
    found = min_heaps[min_heap_key(sweep, cell)]
    if "error" in found:
        return None, None, f"no minimum heap: {found['error']}"
    minimum = found["min_heap_bytes"]
    return round_to_granule(cell.heap.multiple * minimum), minimum, None


# --- one cell ----------------------------------------------------------------

def run_arguments(cell: Cell, heap_bytes: int) -> list:
    args = ["run", f"--collector={cell.collector.name}",
            f"--allocator={cell.allocator.name}",
            f"--workload={cell.workload.name}",
            *cell.collector.param_args("collector"),
            *cell.allocator.param_args("allocator"),
            *cell.workload.param_args("workload"),
            f"--heap={heap_bytes}", f"--mutators={cell.mutators}",
            f"--gc-threads={cell.gc_threads}", f"--seed={cell.seed}"]
    for name, value in cell.flags:
        args.append(f"--{name}" if value is True else f"--{name}={value}")
    return args


def cell_json(cell: Cell, heap_bytes, min_heap_bytes) -> dict:
    return {"collector": cell.collector.name,
            "collector_params": dict(cell.collector.params),
            "allocator": cell.allocator.name,
            "allocator_params": dict(cell.allocator.params),
            "workload": cell.workload.name,
            "workload_params": dict(cell.workload.params),
            "heap": cell.heap.text, "heap_multiple": cell.heap.multiple,
            "min_heap": "own" if cell.heap.own_min else "workload",
            "heap_bytes": heap_bytes, "min_heap_bytes": min_heap_bytes,
            "mutators": cell.mutators, "gc_threads": cell.gc_threads,
            "seed": cell.seed, "invocation": cell.invocation,
            "flags": dict(cell.flags)}


class LiveChildren:
    """The gclab processes running now, so that Ctrl-C can end them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.processes = set()
        self.stopping = False

    def start(self, args, **options):
        with self.lock:
            if self.stopping:
                return None
            process = subprocess.Popen(args, **options)
            self.processes.add(process)
            return process

    def finished(self, process):
        with self.lock:
            self.processes.discard(process)

    def stop_all(self):
        with self.lock:
            self.stopping = True
            for process in self.processes:
                process.send_signal(signal.SIGKILL)


def plan_cell(sweep, cell: Cell, min_heaps: dict) -> dict:
    """What running `cell` takes, as data (a Slurm task reads it from a
    file): the record so far, and the arguments of its `gclab run`, or the
    error that stops it from running."""
    heap_bytes, min_heap_bytes, error = heap_of(sweep, cell, min_heaps)
    record = {"schema": SCHEMA,
              "sweep": {"name": sweep.name, "digest": sweep.digest},
              "key": cell.key(), "configuration": cell.configuration(),
              "cell": cell_json(cell, heap_bytes, min_heap_bytes)}
    return {"record": record, "error": error,
            "args": None if error else run_arguments(cell, heap_bytes)}


def now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def execute(planned: dict, binary: str, env: dict, timeout: float,
            children: LiveChildren | None = None) -> dict | None:
    """Runs a planned cell and returns its whole record: status "ok" with
    the report, or "failed" with the failure's kind and one line. None when
    it was interrupted (Ctrl-C), which records nothing."""
    record = dict(planned["record"])
    started = now_text()
    if planned["error"]:
        record.update(status="failed", failure="no-minimum-heap",
                      error=planned["error"], exit_code=None, report=None,
                      runner={"elapsed_ns": 0, "started": started, "argv": []})
        return record
    with tempfile.TemporaryDirectory(prefix="gclab-sweep-") as directory:
        report_path = Path(directory) / "report.json"
        argv = [str(binary), *planned["args"], f"--json={report_path}",
                "--quiet"]
        options = dict(stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, env=env)
        begin = time.perf_counter_ns()
        process = (children.start(argv, **options) if children
                   else subprocess.Popen(argv, **options))
        if process is None:
            return None
        try:
            _, stderr = process.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
            timed_out = True
        finally:
            if children:
                children.finished(process)
        elapsed = time.perf_counter_ns() - begin
        # Ctrl-C reaches the child too: its death is the interruption's,
        # not a result of the cell.
        if (children and children.stopping) or \
                process.returncode == -signal.SIGINT:
            return None
        record["runner"] = {"elapsed_ns": elapsed, "started": started,
                            "argv": planned["args"]}
        record["exit_code"] = process.returncode
        if timed_out:
            record.update(status="failed", failure="timeout", report=None,
                          error=f"did not finish in {timeout:g} s")
        elif process.returncode == 0:
            record.update(status="ok", failure=None, error=None,
                          report=json.loads(report_path.read_text()))
        else:
            line = first_error_line(stderr, process.returncode)
            failure = ("heap-exhausted" if line.startswith("heap exhausted")
                       else "error")
            record.update(status="failed", failure=failure, error=line,
                          report=None)
    return record


def run_cell(sweep, cell: Cell, min_heaps: dict, gclab: Gclab,
             children: LiveChildren | None = None) -> dict | None:
    return execute(plan_cell(sweep, cell, min_heaps), gclab.binary,
                   gclab.env, sweep.timeout, children)


# --- the local backend -------------------------------------------------------

def run_local(sweep, cells: list, folder, gclab: Gclab, jobs: int,
              min_heaps: dict) -> dict:
    """Runs `cells` (those not yet done), appending each record as it ends;
    returns the session's totals. Ctrl-C kills the running children, keeps
    every finished line, and raises KeyboardInterrupt."""
    session = {"started": now_text(), "backend": "local", "jobs": jobs,
               "runs": 0, "failed": 0, "heap_exhausted": 0,
               "child_elapsed_ns": 0, "run_wall_ns": 0}
    begin = time.perf_counter_ns()
    children = LiveChildren()
    progress = tqdm(total=len(cells), desc=sweep.name, unit="run",
                    file=sys.stderr, smoothing=0.1)

    def record(result: dict | None) -> None:
        if result is None:
            raise KeyboardInterrupt
        folder.append(result)
        session["runs"] += 1
        session["child_elapsed_ns"] += result["runner"]["elapsed_ns"]
        if result["status"] == "ok":
            session["run_wall_ns"] += result["report"]["time"]["wall_ns"]
        elif result["failure"] == "heap-exhausted":
            # Expected at small multiples: counted, not shouted.
            session["heap_exhausted"] += 1
        else:
            session["failed"] += 1
            tqdm.write(f"failed: {result['key']}: {result['error']}",
                       file=sys.stderr)
        progress.set_postfix(exhausted=session["heap_exhausted"],
                             failed=session["failed"], refresh=False)
        progress.update(1)

    try:
        if jobs == 1:
            for cell in cells:
                result = run_cell(sweep, cell, min_heaps, gclab, children)
                record(result)
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                pending = set()
                queue = iter(cells)
                try:
                    for cell in queue:
                        pending.add(pool.submit(run_cell, sweep, cell,
                                                min_heaps, gclab, children))
                        if len(pending) >= jobs:
                            finished, pending = wait(pending,
                                                     return_when=FIRST_COMPLETED)
                            for future in finished:
                                record(future.result())
                    for future in pending:
                        record(future.result())
                except KeyboardInterrupt:
                    children.stop_all()
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
    except KeyboardInterrupt:
        children.stop_all()
        raise
    finally:
        progress.close()
        session["wall_ns"] = time.perf_counter_ns() - begin
        if session["runs"]:
            folder.append_session(session)
    return session
