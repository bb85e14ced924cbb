"""The figures of a sweep, one matplotlib Figure per function.

Each figure function takes one Workload (gclab_results.group) and returns
its Figure, unsaved, so that the tests can count its lines and points before
anything is written; save_figures writes them. Every series keeps one
colour in every figure of a workload. Lines drawn for a series carry the gid
"series:LABEL" (the lower bound's "lower-bound"), which is how the tests,
and anyone scripting over these figures, tell data from decoration.

Docs: docs/experiments.md#plots says what each figure shows.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402

import gclab_results as results  # noqa: E402
from gclab_results import Configuration, Series, Workload  # noqa: E402

plt.rcParams.update({
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10,
    "legend.fontsize": 9, "axes.grid": True, "grid.alpha": 0.3,
    "svg.fonttype": "none",  # text stays text: smaller, searchable SVG
})

# tab10's colours, then their light shades (tab20 interleaves the two), so
# a sweep of more than ten series (the sample's eleven) still gives each its
# own colour; eleven markers, so no colour and marker pair repeats before
# the 110th series.
PALETTE = (plt.get_cmap("tab20").colors[0::2] +
           plt.get_cmap("tab20").colors[1::2])
MARKERS = "osD^vP*X<>h"
LOWER_BOUND_COLOUR = "0.25"

FORMATS = ("png", "svg")


@dataclass
class NamedFigure:
    """A figure and the file name (without extension) it is saved under."""

    name: str
    figure: Figure


# ----------------------------------------------------------------- styling


def colour(workload: Workload, series: Series):
    index = workload.series.index(series)
    return LOWER_BOUND_COLOUR if series.is_lower_bound else \
        PALETTE[index % len(PALETTE)]


def marker(workload: Workload, series: Series) -> str:
    return MARKERS[workload.series.index(series) % len(MARKERS)]


def slug(text: str) -> str:
    """A file-name-safe form of a workload label."""
    kept = "".join(ch if ch.isalnum() or ch in "-_.=" else "-"
                   for ch in text)
    return "-".join(part for part in kept.split("-") if part)


def time_unit(largest_ns: float) -> tuple[float, str]:
    """ms unless the values reach seconds, so tick labels stay short."""
    return (1e9, "s") if largest_ns >= 2e9 else (1e6, "ms")


def heap_axis(ax, workload: Workload) -> None:
    """Heap sizes on a log axis, ticked at the sizes the sweep ran."""
    points = workload.heap_points()
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(points))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([workload.heap_name(x) for x in points])
    if len(points) > 1:
        ax.set_xlim(points[0] / 1.15, points[-1] * 1.15)
    ax.set_xlabel(workload.heap_axis_label)


def legend_below(fig: Figure, axes, ncol: int = 2) -> None:
    """One legend for all panels, under them, where it covers no data."""
    handles = {}  # by label: the panels repeat the series
    for ax in np.atleast_1d(axes).flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    for extra in failed_legend_entry(axes):
        handles[extra.get_label()] = extra
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="upper center",
                   bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False)


def legend_right(ax) -> None:
    """The legend outside the axes, right of them."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0.0, frameon=False)


def mark_failed(ax, workload: Workload, series: Series, xs: list[float]):
    """A × on the heap axis where every run of the series failed, so that a
    gap in its line is explained in the figure itself; the ×s of several
    series at one heap are stacked, not drawn over each other."""
    if not xs:
        return
    failing = [s for s in workload.collected
               if any(not c.runs for c in s.configurations)]
    height = 0.035 * failing.index(series) if series in failing else 0.0
    ax.plot(xs, [height] * len(xs), linestyle="none", marker="x",
            markersize=8, markeredgewidth=2, color=colour(workload, series),
            transform=ax.get_xaxis_transform(), clip_on=False,
            gid=f"failed:{series.label}")


def failed_legend_entry(axes) -> list:
    """A legend entry explaining the ×s, when a panel has any."""
    for ax in np.atleast_1d(axes).flat:
        if any(str(line.get_gid()).startswith("failed:")
               for line in ax.get_lines()):
            return [Line2D([], [], linestyle="none", marker="x",
                           markersize=8, markeredgewidth=2, color="0.3",
                           label="every run failed at this heap "
                           "(× in the series' colour)")]
    return []


def note(ax, text: str) -> None:
    """A remark in the axes' lower right corner."""
    ax.text(0.99, 0.02, text, transform=ax.transAxes, ha="right",
            va="bottom", fontsize=8, color="0.3",
            bbox={"facecolor": "white", "edgecolor": "0.8", "alpha": 0.9})


def title(fig: Figure, workload: Workload, what: str) -> None:
    fig.suptitle(f"{workload.label}: {what}", fontsize=12)


def heap_phrase(workload: Workload, x: float) -> str:
    if workload.absolute_heaps:
        return f"heap {workload.heap_name(x)}"
    return f"heap {workload.heap_name(x)} the minimum"


# ------------------------------------------------- lines against the heap


@dataclass
class HeapLine:
    """One series' estimates at each of its heap sizes; NaN where every run
    failed, which breaks the drawn line there."""

    x: np.ndarray
    mean: np.ndarray
    half_width: np.ndarray
    failed_x: list[float]


def heap_line(workload: Workload, series: Series,
              estimate: Callable[[Configuration], results.Estimate],
              scale: float = 1.0) -> HeapLine:
    xs, means, widths, failed = [], [], [], []
    for configuration in series.configurations:
        x = workload.heap_x(configuration)
        value = estimate(configuration)
        xs.append(x)
        means.append(value.mean / scale)
        widths.append(value.half_width / scale)
        if not configuration.runs:
            failed.append(x)
    return HeapLine(np.array(xs), np.array(means), np.array(widths), failed)


def draw_heap_line(ax, workload: Workload, series: Series,
                   line: HeapLine) -> None:
    """The mean as a line with markers, its 95% CI as whiskers. Each
    series is nudged sideways by a few points (its place among the
    collected series), so that nine sets of whiskers at one heap size stay
    apart; shaded bands of that many series hid each other."""
    col = colour(workload, series)
    place = workload.collected.index(series) \
        if series in workload.collected else 0
    nudge = (place - (len(workload.collected) - 1) / 2) * 2.5
    shifted = ax.transData + ScaledTranslation(nudge / 72, 0,
                                               ax.figure.dpi_scale_trans)
    ax.plot(line.x, line.mean, marker=marker(workload, series),
            color=col, label=series.legend_label(), transform=shifted,
            gid=f"series:{series.label}")
    finite = np.isfinite(line.half_width) & np.isfinite(line.mean)
    if finite.any():
        ax.errorbar(line.x[finite], line.mean[finite],
                    yerr=line.half_width[finite], fmt="none", ecolor=col,
                    elinewidth=1, capsize=2.5, alpha=0.8, transform=shifted)
    mark_failed(ax, workload, series, line.failed_x)


def draw_lower_bounds(ax, workload: Workload, read: results.Reader,
                      scale: float) -> None:
    """Each `none` series' mean as a horizontal dashed line, its CI as a
    light band."""
    styles = ["--", ":", "-."]
    for index, lower in enumerate(workload.lower_bounds):
        values = [v for c in lower.configurations for v in c.values(read)]
        value = results.mean_ci(values)
        if not math.isfinite(value.mean):
            continue
        ax.axhline(value.mean / scale, color=LOWER_BOUND_COLOUR,
                   linestyle=styles[index % len(styles)], linewidth=1.2,
                   label=f"{lower.label}, mean of {value.n}",
                   gid="lower-bound")
        if math.isfinite(value.half_width):
            ax.axhspan(value.low / scale, value.high / scale,
                       color=LOWER_BOUND_COLOUR, alpha=0.08, linewidth=0)


def time_space_figure(workload: Workload) -> Figure:
    """Wall time and GC CPU time against heap size: the time–space
    trade-off, with none's wall time as the floor."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    panels = [(axes[0], results.wall_ns, "wall time"),
              (axes[1], results.gc_cpu_ns, "GC CPU time")]
    for ax, read, name in panels:
        largest = max([v for s in workload.series for c in s.configurations
                       for v in c.values(read)] or [0.0])
        scale, unit = time_unit(largest)
        for series in workload.collected:
            draw_heap_line(ax, workload, series, heap_line(
                workload, series, lambda c, r=read: c.estimate(r), scale))
        draw_lower_bounds(ax, workload, read, scale)
        heap_axis(ax, workload)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"{name} ({unit}), mean and 95% CI")
        ax.set_title(name)
    title(fig, workload, "time–space trade-off")
    legend_below(fig, axes)
    return fig


def lbo_figure(workload: Workload) -> Optional[Figure]:
    """Lower-bound overhead of wall and of process CPU time against heap
    size; None when the sweep ran no `none` for this workload."""
    if workload.lower_bound is None:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    panels = [(axes[0], results.wall_ns, "wall time"),
              (axes[1], results.process_cpu_ns, "process CPU time")]
    lower_bound_label = "none: LBO 0"
    if not workload.lower_bound_pretouched:
        # Its page faults are then on its clock but not on the collectors'
        # (whose smaller heaps fault less), which can make LBO negative.
        lower_bound_label += (" (ran without --pretouch: its page faults "
                              "are in its time)")
    for ax, read, name in panels:
        for series in workload.collected:
            draw_heap_line(ax, workload, series, heap_line(
                workload, series,
                lambda c, r=read, s=series: results.lower_bound_overhead(
                    c, workload.lower_bound_for(s), r), scale=0.01))
        ax.axhline(0.0, color=LOWER_BOUND_COLOUR, linestyle="--",
                   linewidth=1.2, label=lower_bound_label, gid="lower-bound")
        heap_axis(ax, workload)
        ax.set_ylabel(f"LBO of {name} (%), 95% CI")
        ax.set_title(f"{name} ÷ none's − 1")
    title(fig, workload, "lower-bound overhead (LBO)")
    legend_below(fig, axes)
    return fig


# ------------------------------------------------------ at one heap size


def at_heap(workload: Workload, x: float,
            include_lower_bound: bool = False) -> list[tuple[Series,
                                                             Configuration]]:
    """The series with successful runs at heap x (the lower bound at its
    own heap, when asked for)."""
    out = []
    for series in workload.series:
        if series.is_lower_bound:
            if include_lower_bound and series.runs:
                out.append((series, max(series.configurations,
                                        key=lambda c: len(c.runs))))
            continue
        configuration = workload.at_heap(series, x)
        if configuration is not None:
            out.append((series, configuration))
    return out


def missing_at_heap(workload: Workload, x: float) -> list[str]:
    """Labels of collected series with no successful run at heap x."""
    present = {s.label for s, _ in at_heap(workload, x)}
    return [s.label for s in workload.collected if s.label not in present]


def note_missing(ax, workload: Workload, x: float, extra: str = "") -> None:
    missing = missing_at_heap(workload, x)
    lines = [f"{label}: every run failed" for label in missing]
    if extra:
        lines.append(extra)
    if lines:
        note(ax, "\n".join(lines))


def pause_cdf_figure(workload: Workload, heap: Optional[float] = None
                     ) -> Figure:
    """The distribution of pause durations, each series' pauses pooled over
    its invocations at one heap size."""
    x = workload.choose_heap(heap)
    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    silent = []
    for series, configuration in at_heap(workload, x):
        durations = np.sort(results.pause_durations_ns(
            configuration.reports)) / 1e6
        if durations.size == 0:
            silent.append(series.label)
            continue
        fraction = np.arange(1, durations.size + 1) / durations.size
        ax.step(durations, fraction, where="post",
                color=colour(workload, series), gid=f"series:{series.label}",
                label=f"{series.label}: {durations.size} pauses, "
                f"{len(configuration.runs)} runs")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("pause duration (ms, log scale)")
    ax.set_ylabel("fraction of pauses ≤ duration")
    title(fig, workload, f"pause-time CDF at {heap_phrase(workload, x)}")
    note_missing(ax, workload, x, "\n".join(f"{label}: no pauses"
                                            for label in silent))
    legend_right(ax)
    return fig


def mmu_figure(workload: Workload, heap: Optional[float] = None) -> Figure:
    """Mean MMU and BMU over invocations against window width."""
    x = workload.choose_heap(heap)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained",
                             sharey=True)
    for series, configuration in at_heap(workload, x):
        windows, mmu, bmu = results.mmu_curve(configuration.reports)
        for ax, values in ((axes[0], mmu), (axes[1], bmu)):
            ax.plot(windows / 1e6, values, color=colour(workload, series),
                    marker=marker(workload, series), markersize=3,
                    gid=f"series:{series.label}",
                    label=f"{series.label} (mean of "
                    f"{len(configuration.runs)})")
    for ax, name in ((axes[0], "MMU"), (axes[1], "BMU")):
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("window (ms, log scale)")
        ax.set_title(name)
    axes[0].set_ylabel("utilisation (fraction of the window)")
    note_missing(axes[0], workload, x)
    title(fig, workload, f"mutator utilisation at {heap_phrase(workload, x)}")
    legend_below(fig, axes)
    return fig


def _bar_error(estimate: results.Estimate, scale: float,
               positive: bool) -> tuple[float, float]:
    """Whisker lengths below and above; on a log axis the lower one stops
    short of zero."""
    if not math.isfinite(estimate.half_width):
        return 0.0, 0.0
    low = estimate.half_width / scale
    if positive:
        low = min(low, 0.95 * estimate.mean / scale)
    return low, estimate.half_width / scale


PAUSE_STATISTICS = (("p50", "p50_ns"), ("p99", "p99_ns"), ("max", "max_ns"))


def bar_label(label: str) -> str:
    """A collector/allocator label broken at hyphens into lines of about a
    dozen characters, so that ten bars' labels fit side by side."""
    lines = []
    for part in label.replace("/", "/\n", 1).split("\n"):
        lines += textwrap.wrap(part, 12, break_on_hyphens=True) or [part]
    return "\n".join(lines)


def bars_figure(workload: Workload, heap: Optional[float] = None) -> Figure:
    """Allocation throughput and pause percentiles at one heap size, bars of
    means over invocations with 95% CI whiskers."""
    x = workload.choose_heap(heap)
    fig, (left, right) = plt.subplots(2, 1, figsize=(10, 7.5),
                                      layout="constrained")
    chosen = at_heap(workload, x, include_lower_bound=True)
    for index, (series, configuration) in enumerate(chosen):
        value = configuration.estimate(results.allocation_rate)
        low, high = _bar_error(value, 2**30, positive=False)
        left.bar(index, value.mean / 2**30, color=colour(workload, series),
                 yerr=[[low], [high]], capsize=4,
                 gid=f"series:{series.label}", label=series.legend_label())
    left.set_xticks(range(len(chosen)),
                    [bar_label(s.label) for s, _ in chosen], fontsize=8)
    left.grid(axis="x", visible=False)
    left.set_ylabel("allocation rate (GiB/s), mean and 95% CI")
    left.set_title("throughput")
    collected = [(s, c) for s, c in chosen if not s.is_lower_bound]
    width = 0.8 / len(PAUSE_STATISTICS)
    shades = (0.45, 0.75, 1.0)
    for index, (series, configuration) in enumerate(collected):
        for offset, (name, field) in enumerate(PAUSE_STATISTICS):
            value = configuration.estimate(results.pause_field(field))
            if not math.isfinite(value.mean):
                continue
            low, high = _bar_error(value, 1e6, positive=True)
            right.bar(index + (offset - 1) * width, value.mean / 1e6, width,
                      color=colour(workload, series), alpha=shades[offset],
                      edgecolor="black", linewidth=0.5,
                      yerr=[[low], [high]], capsize=3,
                      gid=f"series:{series.label}:{name}")
            right.annotate(name, (index + (offset - 1) * width, 0),
                           xycoords=("data", "axes fraction"),
                           xytext=(0, 2), textcoords="offset points",
                           ha="center", va="bottom", fontsize=7)
    right.set_yscale("log")
    right.set_xticks(range(len(collected)),
                     [bar_label(s.label) for s, _ in collected], fontsize=8)
    right.grid(axis="x", visible=False)
    right.set_ylabel("pause (ms, log scale), mean and 95% CI")
    right.set_title("pauses: p50, p99 and max of each run")
    note_missing(right, workload, x)
    title(fig, workload, f"throughput and pauses at "
          f"{heap_phrase(workload, x)}")
    return fig


# ------------------------------------------------------ heap over time


def heap_figure(workload: Workload) -> Figure:
    """Bytes in use over one run of each configuration, a panel per series
    and a line per heap size, the heap's size dashed in the same colour."""
    count = len(workload.series)
    columns = 2 if count > 1 else 1
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11, 2.9 * rows),
                             layout="constrained", squeeze=False)
    points = workload.heap_points()
    shade = plt.get_cmap("viridis")
    shades = {x: shade(0.8 * i / max(1, len(points) - 1))
              for i, x in enumerate(points)}
    for ax, series in zip(axes.flat, workload.series):
        failed = []
        for configuration in series.configurations:
            run = results.first_invocation(configuration)
            if series.is_lower_bound:
                name = workload.lower_bound_heap_name(configuration)
                col = LOWER_BOUND_COLOUR
            else:
                x = workload.heap_x(configuration)
                name, col = workload.heap_name(x), shades[x]
            if run is None:
                failed.append(name)
                continue
            times, used = results.occupancy_trace(run.report)
            ax.plot(times / 1e6, used / 2**20, color=col, linewidth=1.1,
                    gid=f"series:{series.label}:{name}",
                    label=f"heap {name}")
            ax.axhline(configuration.heap_bytes / 2**20, color=col,
                       linestyle="--", linewidth=0.9)
        heading = series.label
        if series.is_lower_bound:
            heading += f" at {name}"
        if failed:
            heading += " — every run failed at " + ", ".join(failed)
        ax.set_title(heading, fontsize=10)
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("in use (MiB)")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    title(fig, workload, "heap in use during the first successful "
          "invocation (dashed: the heap's size)")
    handles = [Line2D([], [], color=shades[x], label=f"heap "
                      f"{workload.heap_name(x)}") for x in points]
    fig.legend(handles=handles, loc="upper center", ncol=len(points),
               bbox_to_anchor=(0.5, 0.0), frameon=False)
    return fig


# ----------------------------------------------------------------- all


FIGURES: list[tuple[str, Callable[..., Optional[Figure]], bool]] = [
    # (file name prefix, function, whether it takes the one heap size)
    ("pause-cdf", pause_cdf_figure, True),
    ("mmu", mmu_figure, True),
    ("time-space", time_space_figure, False),
    ("bars", bars_figure, True),
    ("lbo", lbo_figure, False),
    ("heap", heap_figure, False),
]


def workload_figures(workload: Workload, heap: Optional[float] = None
                     ) -> list[NamedFigure]:
    """Every figure of one workload, named PREFIX-WORKLOAD; none for a
    workload on which no collector ran successfully."""
    out = []
    if not workload.has_collected_runs:
        return out
    for prefix, function, takes_heap in FIGURES:
        figure = function(workload, heap) if takes_heap else \
            function(workload)
        if figure is not None:
            out.append(NamedFigure(f"{prefix}-{slug(workload.label)}",
                                   figure))
    return out


def all_figures(workloads: list[Workload], heap: Optional[float] = None
                ) -> list[NamedFigure]:
    return [named for workload in workloads
            for named in workload_figures(workload, heap)]


def save_figures(figures: list[NamedFigure], out: Path,
                 formats: tuple[str, ...] = FORMATS,
                 dpi: int = 120) -> list[Path]:
    """Writes each figure once per format; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for named in figures:
        for extension in formats:
            path = out / f"{named.name}.{extension}"
            named.figure.savefig(path, dpi=dpi, bbox_inches="tight")
            written.append(path)
    return written


def close(figures: list[NamedFigure]) -> None:
    """Frees the figures (pyplot keeps every open one alive)."""
    for named in figures:
        plt.close(named.figure)
