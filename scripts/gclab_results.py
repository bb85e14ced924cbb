"""Reading a sweep's runs.jsonl, grouping its runs, and their statistics.

A sweep (scripts/sweep) writes one JSON object a line, schema
gclab-sweep-run/1: the cell it ran (collector, allocator, workload and its
parameters, heap, mutators, GC threads, seed, invocation, flags), whether it
succeeded, and the run's whole `gclab run --json` report (docs/metrics.md).
scripts/plot and scripts/report are thin over this module and
gclab_figures.py, so that the tests check the numbers they draw.

The units of grouping, from the finest:
  run            one line, one process;
  Configuration  the runs of one `configuration` string (a cell without seed
                 and invocation): what the statistics average over;
  Series         the configurations that differ only in heap size: one line
                 against heap size in a figure (mark-sweep/free-list);
  Workload       one workload with one set of parameters: one figure of each
                 kind. Its `none` series is the lower bound.

Confidence intervals are over invocations, Student's t at 95%; see mean_ci
and ratio_ci for why each is computed the way it is.
"""

from __future__ import annotations

import gzip
import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np
from scipy import stats

SCHEMA = "gclab-sweep-run/1"
LOWER_BOUND_COLLECTOR = "none"
CONFIDENCE = 0.95
# Cell fields that place a run on the heap axis or among invocations; every
# other field names its series.
HEAP_FIELDS = ("heap", "heap_multiple", "heap_bytes", "min_heap_bytes")
REPEAT_FIELDS = ("seed", "invocation")
REQUIRED_CELL_FIELDS = ("collector", "allocator", "workload", "heap_bytes")

Report = dict
Reader = Callable[[Report], Optional[float]]


class InputError(Exception):
    """Bad input: its message is one line, naming the file and line."""


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Run:
    """One line of a runs.jsonl: one cell run once, in its own process."""

    key: str
    configuration: str
    cell: dict
    status: str
    error: Optional[str]
    exit_code: Optional[int]
    sweep: dict
    runner: dict
    report: Optional[Report]
    source: str  # "path:line", for messages

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Runs:
    """Every run read, in file order; a key seen again replaces the run."""

    runs: list[Run]
    replaced: list[str] = field(default_factory=list)

    @property
    def successful(self) -> list[Run]:
        return [run for run in self.runs if run.ok]

    @property
    def failed(self) -> list[Run]:
        return [run for run in self.runs if not run.ok]


def _field(record: dict, dotted: str, kind, source: str):
    """Reads a required field, so that a wrong file fails on its first line
    with the field's name rather than later with a KeyError."""
    value = record
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise InputError(f"{source}: missing field '{dotted}'")
        value = value[part]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or isinstance(value, bool):
        names = " or ".join(k.__name__ for k in kinds)
        raise InputError(f"{source}: field '{dotted}' is not a {names}")
    return value


def parse_run(text: str, source: str) -> Run:
    """One line of runs.jsonl as a Run; InputError when it is not one."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{source}: not JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise InputError(f"{source}: not a JSON object")
    schema = record.get("schema")
    if schema != SCHEMA:
        raise InputError(f"{source}: schema is {schema!r}, expected "
                         f"{SCHEMA!r} (a runs.jsonl line of scripts/sweep)")
    for name in REQUIRED_CELL_FIELDS:
        _field(record, f"cell.{name}", (int if name == "heap_bytes" else str),
               source)
    status = _field(record, "status", str, source)
    if status not in ("ok", "failed"):
        raise InputError(f"{source}: status is {status!r}, expected 'ok' "
                         "or 'failed'")
    report = record.get("report")
    if status == "ok":
        _field(record, "report.time.wall_ns", (int, float), source)
    return Run(key=_field(record, "key", str, source),
               configuration=_field(record, "configuration", str, source),
               cell=record["cell"], status=status, error=record.get("error"),
               exit_code=record.get("exit_code"),
               sweep=record.get("sweep") or {},
               runner=record.get("runner") or {}, report=report,
               source=source)


def open_text(path: Path):
    """Opens runs.jsonl or runs.jsonl.gz for reading text."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, "rt", encoding="utf-8")


def read_runs(paths: Iterable[Path]) -> Runs:
    """Every run of every file. A key that appears again (a sweep resumed,
    or a failed cell rerun) replaces the earlier run, which is named in
    `replaced`, since one cell measured twice would count twice."""
    by_key: dict[str, Run] = {}
    replaced = []
    for path in paths:
        try:
            with open_text(path) as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    run = parse_run(line, f"{path}:{number}")
                    if run.key in by_key:
                        replaced.append(run.key)
                        del by_key[run.key]
                    by_key[run.key] = run
        except (OSError, EOFError, UnicodeDecodeError) as error:
            raise InputError(f"{path}: cannot read ({error})") from None
    if not by_key:
        raise InputError("no runs in " + ", ".join(str(p) for p in paths))
    return Runs(list(by_key.values()), replaced)


def require_successful(runs: Runs) -> None:
    """Nothing can be drawn from failures alone, nor from the lower bound
    alone (there is no collector to compare with it)."""
    if not runs.successful:
        raise InputError(f"no successful runs among {len(runs.runs)} "
                         "(every cell failed)")
    if all(run.cell["collector"] == LOWER_BOUND_COLLECTOR
           for run in runs.successful):
        raise InputError(f"no successful runs of a collector: only "
                         f"{LOWER_BOUND_COLLECTOR}'s succeeded")


# --------------------------------------------------------------- grouping


def canonical(value) -> str:
    """A hashable, order-independent spelling of a cell's value."""
    return json.dumps(value, sort_keys=True)


@dataclass
class Configuration:
    """The runs of one configuration: the repeated invocations of one cell."""

    name: str
    cell: dict
    runs: list[Run] = field(default_factory=list)  # successful ones
    failed: list[Run] = field(default_factory=list)

    @property
    def collector(self) -> str:
        return self.cell["collector"]

    @property
    def heap_bytes(self) -> int:
        return self.cell["heap_bytes"]

    @property
    def heap_multiple(self) -> Optional[float]:
        """The heap as a multiple of the minimum heap; computed from bytes
        when the sweep gave an absolute heap but knows the minimum."""
        if self.cell.get("heap_multiple") is not None:
            return float(self.cell["heap_multiple"])
        minimum = self.cell.get("min_heap_bytes")
        return self.heap_bytes / minimum if minimum else None

    @property
    def reports(self) -> list[Report]:
        return [run.report for run in self.runs]

    def values(self, read: Reader) -> list[float]:
        """One value per successful invocation, where its report has it."""
        out = []
        for report in self.reports:
            try:
                value = read(report)
            except (KeyError, TypeError, IndexError):
                value = None
            if value is not None:
                out.append(float(value))
        return out

    def estimate(self, read: Reader) -> "Estimate":
        return mean_ci(self.values(read))


@dataclass
class Series:
    """Configurations that differ only in heap size, ordered by it."""

    ident: str
    cell: dict
    label: str = ""
    configurations: list[Configuration] = field(default_factory=list)

    @property
    def collector(self) -> str:
        return self.cell["collector"]

    @property
    def is_lower_bound(self) -> bool:
        return self.collector == LOWER_BOUND_COLLECTOR

    @property
    def runs(self) -> list[Run]:
        return [run for c in self.configurations for run in c.runs]

    @property
    def failed(self) -> list[Run]:
        return [run for c in self.configurations for run in c.failed]

    def legend_label(self) -> str:
        """The label, with a count of failures so that a reader looking at a
        line with a gap knows why."""
        failed = len(self.failed)
        if not failed:
            return self.label
        total = failed + len(self.runs)
        return f"{self.label} ({failed} of {total} runs failed)"


@dataclass
class Workload:
    """One workload with one set of parameters, and its series."""

    name: str
    params: dict
    label: str = ""
    series: list[Series] = field(default_factory=list)

    @property
    def collected(self) -> list[Series]:
        return [s for s in self.series if not s.is_lower_bound]

    @property
    def has_collected_runs(self) -> bool:
        """Whether any collector ran successfully: without one there is
        nothing to compare, so no figure is drawn."""
        return any(s.runs for s in self.collected)

    @property
    def lower_bounds(self) -> list[Series]:
        """The `none` series with runs: usually one, more when the sweep
        varies the mutators. Each is pooled over its heaps, since a
        collector that never collects does the same work in any heap that
        holds everything."""
        return [s for s in self.series if s.is_lower_bound and s.runs]

    @property
    def lower_bound(self) -> Optional[Series]:
        return self.lower_bounds[0] if self.lower_bounds else None

    def lower_bound_for(self, series: Series) -> Optional[Series]:
        """The `none` series a collected one is measured against: the one
        with as many mutators (their work scales with them), else the
        first."""
        for lower in self.lower_bounds:
            if lower.cell.get("mutators") == series.cell.get("mutators"):
                return lower
        return self.lower_bound

    @property
    def lower_bound_pretouched(self) -> Optional[bool]:
        """Whether every `none` run faulted its heap in before the clock
        started (config.pretouch); a report without the field comes from a
        binary that could not, so counts as not. None without a `none`."""
        if not self.lower_bounds:
            return None
        return all(report.get("config", {}).get("pretouch") is True
                   for lower in self.lower_bounds
                   for c in lower.configurations for report in c.reports)

    @property
    def absolute_heaps(self) -> bool:
        """True when some collected configuration has no heap multiple, so
        that heaps are drawn in MiB instead."""
        return any(c.heap_multiple is None for s in self.collected
                   for c in s.configurations)

    def heap_x(self, configuration: Configuration) -> float:
        """Where a configuration sits on the heap axis."""
        if self.absolute_heaps:
            return configuration.heap_bytes / (1 << 20)
        return configuration.heap_multiple

    @property
    def heap_axis_label(self) -> str:
        if self.absolute_heaps:
            return "heap size (MiB)"
        return "heap size (multiple of the minimum heap)"

    def heap_points(self) -> list[float]:
        """The heap sizes of the collected configurations, ascending."""
        return sorted({self.heap_x(c) for s in self.collected
                       for c in s.configurations})

    def heap_name(self, x: float) -> str:
        return f"{x:g} MiB" if self.absolute_heaps else f"{x:g}×"

    @staticmethod
    def lower_bound_heap_name(configuration: Configuration) -> str:
        """`none`'s heap, which is relative to its own minimum (what the
        workload allocates), not the collectors' minimum."""
        multiple = configuration.heap_multiple
        if multiple is None:
            return f"{configuration.heap_bytes / (1 << 20):g} MiB"
        return f"{multiple:g}× its own minimum"

    def choose_heap(self, wanted: Optional[float] = None) -> float:
        """The heap one-heap figures use: the one nearest `wanted`, or the
        median of those present (the lower middle of an even count, so that
        it is one the sweep ran)."""
        points = [x for x in self.heap_points()
                  if any(self.at_heap(s, x) for s in self.collected)]
        if not points:
            points = self.heap_points()
        if wanted is not None:
            return min(points, key=lambda x: (abs(math.log(x / wanted))
                                              if x > 0 and wanted > 0
                                              else abs(x - wanted)))
        return points[(len(points) - 1) // 2]

    def at_heap(self, series: Series, x: float) -> Optional[Configuration]:
        """The series' configuration at heap x, if it has one with runs."""
        for configuration in series.configurations:
            if math.isclose(self.heap_x(configuration), x) and \
                    configuration.runs:
                return configuration
        return None


def series_ident(cell: dict) -> str:
    """Everything that names a series: the cell less heap and repeats."""
    return canonical({k: v for k, v in cell.items()
                      if k not in HEAP_FIELDS + REPEAT_FIELDS})


def workload_ident(cell: dict) -> str:
    return canonical([cell["workload"], cell.get("workload_params") or {}])


def _varying(cells: list[dict], skip: tuple[str, ...]) -> list[str]:
    """Fields (flags flattened as flags.NAME) whose values differ."""
    flat = []
    for cell in cells:
        entry = {k: canonical(v) for k, v in cell.items()
                 if k not in skip and k != "flags"}
        for name, value in (cell.get("flags") or {}).items():
            entry[f"flags.{name}"] = canonical(value)
        flat.append(entry)
    names = sorted({k for entry in flat for k in entry})
    return [name for name in names
            if len({entry.get(name) for entry in flat}) > 1]


def _cell_value(cell: dict, name: str):
    if name.startswith("flags."):
        return (cell.get("flags") or {}).get(name[len("flags."):])
    return cell.get(name)


def _show(value) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={_show(v)}" for k, v in sorted(value.items()))
    return json.dumps(value) if not isinstance(value, str) else value


def _label_series(workload: Workload) -> None:
    """collector/allocator, plus whatever else varies between the collected
    series (as compare's labels do): mutators=2, flags.pretouch=true."""
    skip = HEAP_FIELDS + REPEAT_FIELDS + ("collector", "allocator",
                                          "workload", "workload_params")
    varying = {
        False: _varying([s.cell for s in workload.collected], skip),
        True: _varying([s.cell for s in workload.series
                        if s.is_lower_bound], skip)}
    for series in workload.series:
        label = f"{series.cell['collector']}/{series.cell['allocator']}"
        extra = [f"{name.removeprefix('flags.')}="
                 f"{_show(_cell_value(series.cell, name))}"
                 for name in varying[series.is_lower_bound]]
        if series.is_lower_bound:
            extra.append("(lower bound)")
        series.label = " ".join([label] + extra)


def _label_workloads(workloads: list[Workload]) -> None:
    """A workload's name alone, or with its parameters when the runs hold
    the same workload with several sets of them."""
    for workload in workloads:
        same_name = [w for w in workloads if w.name == workload.name]
        if len(same_name) == 1:
            workload.label = workload.name
            continue
        differing = sorted(
            name for name in {k for w in same_name for k in w.params}
            if len({canonical(w.params.get(name)) for w in same_name}) > 1)
        workload.label = workload.name + " " + " ".join(
            f"{name}={_show(workload.params.get(name))}"
            for name in differing)


def group(runs: Runs) -> list[Workload]:
    """Workloads, series and configurations in the order the runs first name
    them (the sweep's order), configurations by heap size."""
    configurations: dict[str, Configuration] = {}
    for run in runs.runs:
        configuration = configurations.setdefault(
            run.configuration, Configuration(run.configuration, run.cell))
        (configuration.runs if run.ok else configuration.failed).append(run)
    workloads: dict[str, Workload] = {}
    series: dict[tuple[str, str], Series] = {}
    for configuration in configurations.values():
        cell = configuration.cell
        workload = workloads.setdefault(
            workload_ident(cell),
            Workload(cell["workload"], cell.get("workload_params") or {}))
        key = (workload_ident(cell), series_ident(cell))
        if key not in series:
            series[key] = Series(key[1], cell)
            workload.series.append(series[key])
        series[key].configurations.append(configuration)
    for workload in workloads.values():
        for one in workload.series:
            one.configurations.sort(
                key=lambda c: (c.heap_multiple or 0.0, c.heap_bytes))
        _label_series(workload)
    ordered = list(workloads.values())
    _label_workloads(ordered)
    return ordered


# ------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Estimate:
    """A mean and its confidence interval's half-width (NaN when one value
    cannot give an interval)."""

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def shifted(self, offset: float) -> "Estimate":
        return Estimate(self.mean + offset, self.half_width, self.n)


NO_ESTIMATE = Estimate(math.nan, math.nan, 0)


def t_quantile(df: float, confidence: float = CONFIDENCE) -> float:
    """The two-sided Student's t quantile, e.g. 12.706 for df 1 at 95%."""
    return float(stats.t.ppf((1 + confidence) / 2, df))


def mean_ci(values: list[float], confidence: float = CONFIDENCE) -> Estimate:
    """Mean and Student's t interval, mean ± t(n-1) · s / √n. Invocations
    are few (often 2-10) and their variance unknown, which is the case the t
    distribution is for; a normal quantile would give intervals too narrow."""
    n = len(values)
    if n == 0:
        return NO_ESTIMATE
    mean = statistics.fmean(values)
    if n == 1:
        return Estimate(mean, math.nan, 1)
    sd = statistics.stdev(values)
    return Estimate(mean, t_quantile(n - 1, confidence) * sd / math.sqrt(n),
                    n)


def ratio_ci(numerator: list[float], denominator: list[float],
             confidence: float = CONFIDENCE) -> Estimate:
    """The ratio of two means, with an interval by propagating their
    standard errors to first order (the delta method): the ratio's relative
    standard error is the root sum of squares of the means' relative ones,
    and its degrees of freedom are Welch–Satterthwaite's. Invocations of two
    configurations are independent runs, not pairs, so a ratio of means (not
    a mean of ratios) is the estimate; with 2-10 invocations a bootstrap
    would have too few distinct resamples to be trusted."""
    nx, nb = len(numerator), len(denominator)
    if not nx or not nb:
        return NO_ESTIMATE
    mx, mb = statistics.fmean(numerator), statistics.fmean(denominator)
    if mb == 0:
        return NO_ESTIMATE
    ratio = mx / mb
    n = min(nx, nb)
    if nx < 2 or nb < 2 or mx == 0:
        return Estimate(ratio, math.nan, n)
    a = statistics.variance(numerator) / (nx * mx * mx)
    b = statistics.variance(denominator) / (nb * mb * mb)
    if a + b == 0:
        return Estimate(ratio, 0.0, n)
    df = (a + b) ** 2 / (a * a / (nx - 1) + b * b / (nb - 1))
    return Estimate(ratio, t_quantile(df, confidence) * abs(ratio) *
                    math.sqrt(a + b), n)


def lower_bound_overhead(configuration: Configuration, lower: Series,
                         read: Reader) -> Estimate:
    """LBO (Cai, Blackburn et al. 2022): a configuration's cost over the
    cost of `none` on the same workload, minus 1 (0.25: 25% more time than
    a run that never collects)."""
    baseline = [v for c in lower.configurations for v in c.values(read)]
    return ratio_ci(configuration.values(read), baseline).shifted(-1.0)


# --------------------------------------------------------- report fields


def wall_ns(report: Report) -> float:
    return report["time"]["wall_ns"]


def gc_cpu_ns(report: Report) -> Optional[float]:
    return report["time"].get("gc_cpu_ns")


def process_cpu_ns(report: Report) -> Optional[float]:
    return report["time"].get("process_cpu_ns")


def allocation_rate(report: Report) -> Optional[float]:
    """Bytes allocated per second of wall time (the workload's throughput:
    it allocates the same bytes under every collector)."""
    return report.get("allocation", {}).get("bytes_per_second")


def pause_field(name: str) -> Reader:
    """p50_ns, p99_ns, max_ns: a run's pause summary; None without pauses,
    which have no percentiles to average."""
    def read(report: Report) -> Optional[float]:
        pauses = report.get("pauses", {})
        return pauses.get(name) if pauses.get("count") else None
    return read


def pause_durations_ns(reports: Iterable[Report]) -> np.ndarray:
    """Every pause of every report, pooled (for a CDF over invocations)."""
    return np.array([pause["duration_ns"] for report in reports
                     for pause in report.get("pauses", {}).get("list", [])],
                    dtype=float)


def mmu_curve(reports: list[Report]) -> tuple[np.ndarray, np.ndarray,
                                              np.ndarray]:
    """Window widths (ns) with the mean MMU and mean BMU over the reports,
    on the widths every report has: a run's windows go up to its own length,
    and a mean over only some of the runs would mix populations."""
    tables = [{w["window_ns"]: (w["mmu"], w["bmu"])
               for w in report.get("mmu", {}).get("windows", [])}
              for report in reports]
    if not tables:
        return np.array([]), np.array([]), np.array([])
    common = sorted(set.intersection(*(set(t) for t in tables)))
    mmu = [statistics.fmean(t[w][0] for t in tables) for w in common]
    bmu = [statistics.fmean(t[w][1] for t in tables) for w in common]
    return (np.array(common, dtype=float), np.array(mmu), np.array(bmu))


def occupancy_trace(report: Report) -> tuple[np.ndarray, np.ndarray]:
    """Bytes in use against time (ns): 0 at the start, each cycle's `before`
    at its start and `after` at its end, the final heap at the end. Between
    two points the line is a guess (allocation is not recorded), which is
    why the figure draws only these points' straight joins."""
    times, used = [0.0], [0.0]
    for cycle in report.get("cycles", []):
        start = float(cycle["start_ns"])
        times += [start, start + float(cycle.get("duration_ns", 0))]
        used += [float(cycle["before"]["in_use_bytes"]),
                 float(cycle["after"]["in_use_bytes"])]
    final = report.get("heap", {}).get("final", {})
    if "in_use_bytes" in final:
        times.append(float(report["time"]["wall_ns"]))
        used.append(float(final["in_use_bytes"]))
    return np.array(times), np.array(used)


def first_invocation(configuration: Configuration) -> Optional[Run]:
    """The successful run with the lowest invocation number: the one a
    single-run figure shows, chosen the same way each time."""
    if not configuration.runs:
        return None
    return min(configuration.runs,
               key=lambda run: (run.cell.get("invocation", 0), run.key))


# --------------------------------------------------------------- summary


def failure_lines(runs: Runs) -> list[str]:
    """One line per configuration with failures, for stderr."""
    by_configuration: dict[str, list[Run]] = {}
    for run in runs.failed:
        by_configuration.setdefault(run.configuration, []).append(run)
    lines = []
    for name, failed in by_configuration.items():
        errors = sorted({run.error or f"exit status {run.exit_code}"
                         for run in failed})
        lines.append(f"  {name}: {len(failed)} failed: " + "; ".join(errors))
    return lines


def warn_skipped(runs: Runs, workloads: list[Workload], program: str,
                 stream) -> None:
    """Says on `stream` what the figures leave out and why."""
    for key in runs.replaced:
        print(f"{program}: {key} appears more than once; the last run is "
              "used", file=stream)
    if runs.failed:
        print(f"{program}: skipped {len(runs.failed)} failed of "
              f"{len(runs.runs)} runs:", file=stream)
        for line in failure_lines(runs):
            print(line, file=stream)
    for workload in workloads:
        if not workload.has_collected_runs:
            print(f"{program}: {workload.label}: no collector ran "
                  "successfully, so it has no figures", file=stream)
