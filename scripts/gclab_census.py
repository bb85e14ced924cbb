"""The census figure: live bytes per allocation site through one run, from
the report of `gclab run --census --json` (or --leak-report).

One stacked area per site, censuses along x (milliseconds since the run
started, or MiB allocated), live MiB up y. The sites the leak report
flagged (leaks.growing_sites) are drawn at the bottom of the stack in red,
hatched, and named "(growing)" in the legend, so that a leak is the band
that rises under the others; the rest share a muted palette. A run with
many sites keeps the MAX_SITES largest (by their most live bytes at any
census) and adds the others up as "other sites".

Each area carries the gid "site:NAME" (or "site:other sites"), which is
how the tests tell the data from decoration. docs/metrics.md#the-heap-census
says what a census counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

MAX_SITES = 8
OTHER_SITES = "other sites"
GROWING_COLOUR = "#d62728"
MUTED = plt.get_cmap("tab20c").colors
MIB = float(1 << 20)
X_AXES = ("time", "allocated")


class InputError(Exception):
    """Bad input: its message is one line naming the file."""


@dataclass
class Census:
    """A run's censuses, as the figure needs them."""

    title: str
    x_ms: np.ndarray         # when each census began, ms since the start
    x_mib: np.ndarray        # MiB allocated by then
    bytes_by_site: dict      # site -> np.ndarray of live bytes per census
    growing: list            # sites the leak report flagged, in its order
    at_collections: bool     # taken at collections, else every N allocations


def read_census(path: Path) -> Census:
    """The census of the report at `path`; InputError when there is none."""
    try:
        report = json.loads(path.read_text())
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise InputError(f"{path} is not JSON: {error}") from None
    census = report.get("census") if isinstance(report, dict) else None
    if not isinstance(census, dict) or not census.get("censuses"):
        raise InputError(f"{path} has no censuses: run gclab run --census "
                         "--json FILE (a report of gclab run, not of a sweep)")
    return census_of(report)


def census_of(report: dict) -> Census:
    censuses = report["census"]["censuses"]
    sites: dict = {}
    for index, entry in enumerate(censuses):
        for site in entry["sites"]:
            sites.setdefault(site["site"], np.zeros(len(censuses)))
            sites[site["site"]][index] = site["bytes"]
    growing = [site["site"] for site in
               report.get("leaks", {}).get("growing_sites", [])]
    config = report.get("config", {})
    title = " / ".join(config.get(key, "?") for key in
                       ("workload", "collector", "allocator"))
    return Census(
        title=title,
        x_ms=np.array([entry["time_ns"] / 1e6 for entry in censuses]),
        x_mib=np.array([entry["allocated_bytes"] / MIB
                        for entry in censuses]),
        bytes_by_site=sites,
        growing=[site for site in growing if site in sites],
        at_collections=report["census"]["interval_allocations"] is None)


def stacked_sites(census: Census) -> list[tuple[str, np.ndarray]]:
    """(name, bytes) bottom to top: growing sites first, then the largest
    others, then the rest added up."""
    others = sorted((site for site in census.bytes_by_site
                     if site not in census.growing),
                    key=lambda site: (-census.bytes_by_site[site].max(),
                                      site))
    room = max(MAX_SITES - len(census.growing), 0)
    shown = census.growing + others[:room]
    stack = [(site, census.bytes_by_site[site]) for site in shown]
    rest = others[room:]
    if rest:
        stack.append((OTHER_SITES,
                      sum(census.bytes_by_site[site] for site in rest)))
    return stack


def colours_of(census: Census, stack: list) -> list:
    """Red for growing sites, the muted palette in turn for the others."""
    colours, muted = [], iter(MUTED * (len(stack) // len(MUTED) + 1))
    for name, _ in stack:
        colours.append(GROWING_COLOUR if name in census.growing
                       else next(muted))
    return colours


def census_figure(census: Census, x_axis: str = "time") -> Figure:
    figure, ax = plt.subplots(figsize=(8, 4.5))
    x = census.x_ms if x_axis == "time" else census.x_mib
    stack = stacked_sites(census)
    labels = [f"{name} (growing)" if name in census.growing else name
              for name, _ in stack]
    areas = ax.stackplot(x, *[values / MIB for _, values in stack],
                         labels=labels, colors=colours_of(census, stack),
                         edgecolor="white", linewidth=0.5)
    for area, (name, _) in zip(areas, stack):
        area.set_gid(f"site:{name}")
        if name in census.growing:
            area.set_hatch("//")
    ax.set_xlabel("time since the run started (ms)" if x_axis == "time"
                  else "allocated (MiB)")
    ax.set_ylabel("live (MiB)")
    when = ("at each collection" if census.at_collections
            else "every N allocations")
    ax.set_title(f"{census.title}: live bytes per site, a census {when}")
    if len(x) > 1:
        ax.set_xlim(x.min(), x.max())
    # Top of the stack first, as the areas lie.
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="upper left",
              bbox_to_anchor=(1.01, 1), frameon=False)
    figure.tight_layout()
    return figure
