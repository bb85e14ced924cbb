"""One self-contained HTML page for a sweep: its figures, a summary table per
workload, what was swept, where it ran, and what failed.

Self-contained because a report is mailed, attached to an issue or opened
years later: the figures are PNGs inlined as data: URIs, the CSS is inline,
and nothing is fetched (no scripts, fonts or links to load). scripts/report
is the command; docs/experiments.md#report describes the page.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import math
from pathlib import Path
from typing import Iterable, Optional

import gclab_figures as figures
import gclab_results as results
from gclab_results import Configuration, Runs, Series, Workload

CAPTIONS = {
    "pause-cdf": "Pause durations, each configuration's pauses pooled over "
    "its invocations: the fraction of pauses no longer than x.",
    "mmu": "Minimum mutator utilisation (MMU) and bounded MMU (BMU) "
    "against window width, the mean over invocations.",
    "time-space": "Wall and GC CPU time against heap size, the mean over "
    "invocations with a 95% Student's t confidence band; dashed: the "
    "collector that never collects.",
    "bars": "Allocation throughput, and the mean of each run's pause "
    "p50, p99 and maximum, with 95% confidence whiskers.",
    "lbo": "Lower-bound overhead: time over the time of `none` on the same "
    "workload, minus 1, with 95% confidence bands (ratio of means, errors "
    "propagated).",
    "heap": "Bytes in use at each collection's start and end during one "
    "run of each configuration.",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
       color: #222; background: #fff; margin: 2em auto; max-width: 1180px;
       padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; margin-top: 2em; }
h3 { font-size: 1.05em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.85em; }
th, td { border: 1px solid #d4d4d4; padding: 0.25em 0.6em;
         vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td:first-child { white-space: nowrap; }
table.failures td:first-child { white-space: normal; word-break: break-all;
                                width: 50%; }
td.num { text-align: right; font-variant-numeric: tabular-nums;
         white-space: nowrap; }
tr:nth-child(even) td { background: #fafafa; }
tr.failed td { color: #a00; }
code { font-size: 0.92em; background: #f4f4f4; padding: 0 0.2em; }
figure { margin: 1.2em 0 2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; margin-top: 0.3em; }
.note { color: #8a5a00; }
"""


def escape(value) -> str:
    return html.escape(str(value), quote=True)


# -------------------------------------------------------------- numbers


def format_duration(ns: float) -> str:
    """A duration with the unit that keeps it short: 4.1 µs, 1.08 ms."""
    if not math.isfinite(ns):
        return "—"
    if ns < 1e6:
        return f"{ns / 1e3:.3g} µs"
    if ns < 1e10:
        return f"{ns / 1e6:.3g} ms"
    return f"{ns / 1e9:.3g} s"


def format_estimate(estimate: results.Estimate, scale: float,
                    digits: int = 1) -> str:
    """mean ± half-width, or the mean alone when no interval exists."""
    if not math.isfinite(estimate.mean):
        return "—"
    mean = f"{estimate.mean / scale:.{digits}f}"
    if math.isfinite(estimate.half_width):
        return f"{mean} ± {estimate.half_width / scale:.{digits}f}"
    return f"{mean} (n={estimate.n})"


def format_bytes(count: Optional[float]) -> str:
    if count is None:
        return "—"
    return f"{count / 2**20:.3g} MiB"


# --------------------------------------------------------------- tables


def table(header: list[str], rows: Iterable[list[str]],
          numeric: Iterable[int] = (), row_classes: Iterable[str] = (),
          css_class: str = "") -> str:
    """An HTML table of already-escaped cells; a row shorter than the header
    has its last cell span the columns left (a failed configuration's error
    in place of its numbers)."""
    numeric = set(numeric)
    classes = list(row_classes)
    opening = f'<table class="{css_class}">' if css_class else "<table>"
    out = [opening, "<tr>" + "".join(f"<th>{h}</th>" for h in header)
           + "</tr>"]
    for index, row in enumerate(rows):
        css = classes[index] if index < len(classes) else ""
        attribute = f' class="{css}"' if css else ""
        cells = "".join(
            f'<td class="num">{cell}</td>' if column in numeric
            else f"<td>{cell}</td>" for column, cell in enumerate(row[:-1]))
        span = len(header) - len(row) + 1
        last = len(row) - 1
        css = ' class="num"' if last in numeric and span == 1 else ""
        css += f' colspan="{span}"' if span > 1 else ""
        cells += f"<td{css}>{row[-1]}</td>"
        out.append(f"<tr{attribute}>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def lbo_text(configuration: Configuration, workload: Workload,
             series: Series, read: results.Reader) -> str:
    lower = workload.lower_bound_for(series)
    if lower is None or series.is_lower_bound:
        return "—"
    estimate = results.lower_bound_overhead(configuration, lower, read)
    text = format_estimate(estimate, 0.01)
    return text if text == "—" else text + " %"


def summary_row(workload: Workload, series: Series,
                configuration: Configuration) -> list[str]:
    """One configuration's figures, means over its invocations."""
    runs = len(configuration.runs)
    total = runs + len(configuration.failed)
    if series.is_lower_bound:
        heap = workload.lower_bound_heap_name(configuration)
    else:
        heap = workload.heap_name(workload.heap_x(configuration))
    label = escape(series.label)
    heap_cell = (f"{escape(heap)}<br>"
                 f"{escape(format_bytes(configuration.heap_bytes))}")
    if not runs:
        errors = sorted({run.error or f"exit status {run.exit_code}"
                         for run in configuration.failed})
        return [label, heap_cell, f"0 of {total}",
                "every run failed: " + escape("; ".join(errors))]
    p99 = configuration.estimate(results.pause_field("p99_ns"))
    worst = max(configuration.values(results.pause_field("max_ns")),
                default=math.nan)
    return [
        label, heap_cell, f"{runs} of {total}",
        escape(format_estimate(configuration.estimate(results.wall_ns),
                               1e6)),
        escape(format_estimate(configuration.estimate(results.gc_cpu_ns),
                               1e6)),
        escape(format_duration(p99.mean)), escape(format_duration(worst)),
        escape(lbo_text(configuration, workload, series, results.wall_ns)),
        escape(lbo_text(configuration, workload, series,
                        results.process_cpu_ns)),
    ]


SUMMARY_HEADER = [
    "configuration", "heap", "runs ok", "wall (ms)<br>mean ± 95% CI",
    "GC CPU (ms)<br>mean ± 95% CI", "pause p99<br>mean of runs",
    "pause max<br>worst run", "LBO wall<br>± 95% CI",
    "LBO process CPU<br>± 95% CI"]


def summary_table(workload: Workload) -> str:
    rows, classes = [], []
    for series in workload.series:
        for configuration in series.configurations:
            rows.append(summary_row(workload, series, configuration))
            classes.append("" if configuration.runs else "failed")
    return table(SUMMARY_HEADER, rows, numeric=range(2, 9),
                 row_classes=classes)


# ------------------------------------------------- sweep and environment


def distinct(values: Iterable) -> list:
    """Values in first-seen order, each once (dicts compared by content)."""
    seen, out = set(), []
    for value in values:
        key = results.canonical(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def show(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={show(v)}" for k, v in value.items()) or "—"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


GRID_FIELDS = ("collector", "allocator", "workload", "workload_params",
               "heap", "heap_bytes", "min_heap_bytes", "mutators",
               "gc_threads", "seed", "invocation", "flags")


def sweep_section(runs: Runs, sources: list[Path]) -> str:
    sweeps = distinct(run.sweep for run in runs.runs)
    rows = [[escape(sweep.get("name", "?")),
             f"<code>{escape(sweep.get('digest', '?'))}</code>"]
            for sweep in sweeps]
    parts = ["<h2 id=\"sweep\">Sweep</h2>",
             "<p>Read from " + ", ".join(f"<code>{escape(p)}</code>"
                                         for p in sources) + ": "
             f"{len(runs.runs)} runs, {len(runs.failed)} failed.</p>",
             table(["sweep", "digest (SHA-256 of the sweep file)"], rows)]
    if runs.replaced:
        parts.append(f'<p class="note">{len(runs.replaced)} keys appeared '
                     "more than once; the last run of each is used.</p>")
    grid = []
    for name in GRID_FIELDS:
        values = distinct(run.cell.get(name) for run in runs.runs
                          if name in run.cell)
        if not values:
            continue
        if name in ("heap_bytes", "min_heap_bytes"):
            shown = [format_bytes(v) if v is not None else "null"
                     for v in values]
        else:
            shown = [show(v) for v in values]
        grid.append([f"<code>{escape(name)}</code>",
                     "; ".join(escape(v) for v in shown)])
    parts += ["<h3>The grid's values</h3>", table(["field", "values"], grid)]
    return "\n".join(parts)


ENVIRONMENT_FIELDS = (("git commit", "git_commit"), ("compiler", "compiler"),
                      ("build mode", "build_mode"), ("CPU", "cpu_model"),
                      ("cores", "cores"))


def environment_section(runs: Runs) -> str:
    environments = [run.report.get("environment", {})
                    for run in runs.successful]
    rows = []
    for title, name in ENVIRONMENT_FIELDS:
        values = distinct(e[name] for e in environments if name in e)
        cell = "; ".join(escape(show(v)) for v in values) or "—"
        if len(values) > 1:
            cell += ' <span class="note">(differs between runs)</span>'
        rows.append([escape(title), cell])
    dates = sorted(e["date"] for e in environments if "date" in e)
    if dates:
        span = dates[0] if dates[0] == dates[-1] else \
            f"{dates[0]} to {dates[-1]}"
        rows.append(["date (UTC)", escape(span)])
    pretouch = distinct(run.report.get("config", {}).get("pretouch")
                        for run in runs.successful
                        if run.cell.get("collector") == "none")
    if pretouch:
        rows.append(["none ran with --pretouch",
                     escape("; ".join(show(v) if v is not None else
                                      "not recorded" for v in pretouch))])
    return "<h2 id=\"environment\">Environment</h2>\n" + \
        table(["", "value"], rows)


def failures_section(runs: Runs) -> str:
    parts = ["<h2 id=\"failures\">Failures</h2>"]
    if not runs.failed:
        parts.append("<p>No run failed.</p>")
        return "\n".join(parts)
    parts.append(f"<p>{len(runs.failed)} runs failed; the figures and "
                 "tables leave them out.</p>")
    rows = [[f"<code>{escape(run.key)}</code>",
             escape(run.error or "—"), escape(show(run.exit_code))]
            for run in runs.failed]
    parts.append(table(["key", "error", "exit code"], rows, numeric=[2],
                       css_class="failures"))
    return "\n".join(parts)


def method_section(workloads: list[Workload],
                   heap: Optional[float]) -> str:
    chosen = ", ".join(
        f"{escape(w.label)} {escape(w.heap_name(w.choose_heap(heap)))}"
        for w in workloads if w.has_collected_runs)
    notes = ""
    if any(w.lower_bound is not None and not w.lower_bound_pretouched
           for w in workloads):
        notes = ('<p class="note">The <code>none</code> runs did not '
                 "pretouch their heap, so their page faults are in their "
                 "time: an LBO below 0 means that, not a collector faster "
                 "than none.</p>")
    return f"""<h2 id="method">How the numbers are made</h2>
<p>Each configuration ran in several invocations (separate processes).
Means are over the successful invocations; a 95% confidence interval is
mean ± t<sub>0.975, n−1</sub> · s / √n (Student's t), and is missing where
one invocation succeeded. LBO (lower-bound overhead, Cai, Blackburn et al.
2022) is a configuration's mean time over the mean time of
<code>none</code> on the same workload, minus 1; its interval propagates
both means' relative standard errors (the delta method) with
Welch–Satterthwaite degrees of freedom. Pause CDFs, MMU and the bars are at
one heap size per workload: {chosen}.</p>
{notes}"""


# ------------------------------------------------------------- figures


def png_data_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + \
        base64.b64encode(buffer.getvalue()).decode("ascii")


def workload_section(workload: Workload, heap: Optional[float]) -> str:
    anchor = figures.slug(workload.label)
    parts = [f'<h2 id="w-{escape(anchor)}">{escape(workload.label)}</h2>',
             f"<p>Parameters: {escape(show(workload.params))}.</p>",
             summary_table(workload)]
    if not workload.has_collected_runs:
        parts.append('<p class="note">No collector ran successfully on '
                     "this workload, so it has no figures.</p>")
    drawn = figures.workload_figures(workload, heap)
    try:
        for named in drawn:
            prefix = named.name[:-len(anchor) - 1]
            parts.append(
                f'<figure id="{escape(named.name)}"><img alt="'
                f'{escape(named.name)}" src="{png_data_uri(named.figure)}">'
                f"<figcaption>{escape(CAPTIONS.get(prefix, ''))}"
                "</figcaption></figure>")
    finally:
        figures.close(drawn)
    return "\n".join(parts)


# ---------------------------------------------------------------- page


def render(runs: Runs, sources: list[Path],
           heap: Optional[float] = None) -> str:
    """The whole page as a string."""
    workloads = results.group(runs)
    names = ", ".join(distinct(run.sweep.get("name", "?")
                               for run in runs.runs))
    made = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    contents = [f'<a href="#w-{escape(figures.slug(w.label))}">'
                f"{escape(w.label)}</a>" for w in workloads]
    body = [
        f"<h1>gclab sweep: {escape(names)}</h1>",
        f"<p>{len(runs.successful)} successful and {len(runs.failed)} "
        f"failed runs over {len(workloads)} workloads; made {made} by "
        "<code>scripts/report</code>.</p>",
        "<nav>Contents: " + " · ".join(contents + [
            '<a href="#sweep">sweep</a>',
            '<a href="#environment">environment</a>',
            '<a href="#failures">failures</a>']) + "</nav>",
        method_section(workloads, heap),
    ]
    body += [workload_section(w, heap) for w in workloads]
    body += [sweep_section(runs, sources), environment_section(runs),
             failures_section(runs)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
            "<meta charset=\"utf-8\">\n"
            f"<title>gclab sweep: {escape(names)}</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def write(runs: Runs, sources: list[Path], out: Path,
          heap: Optional[float] = None) -> None:
    """Renders first and writes once, so a failure leaves no half page."""
    page = render(runs, sources, heap)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
