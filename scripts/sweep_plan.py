"""A sweep file, checked and expanded into the cells it asks for.

A sweep is a grid: every workload x collector x allocator (the pairs that
fit) x heap x mutators x GC threads x seed x the values of any listed run
flag, each run `invocations` times. docs/experiments.md#sweeps describes the
file; this module reads it (JSON or TOML), refuses anything it does not know
with one line (SweepError), and expands it. It runs nothing: heap multiples
stay symbolic ("2x") until the runner knows each workload's minimum heap.
"""

import dataclasses
import hashlib
import itertools
import json
import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = "gclab-sweep-run/1"

# Keys a sweep file may hold, with what they default to (None: required).
TOP_LEVEL = {
    "name": None,
    "workloads": None,
    "collectors": None,
    "allocators": None,
    "heaps": [],
    "min_heap": {},
    "mutators": [1],
    "gc_threads": [1],
    "seeds": [1],
    "invocations": 1,
    "shuffle": False,
    "flags": {},
    "timeout": 600,
}
MIN_HEAP_KEYS = {"collector": "mark-compact", "allocator": "bump",
                 "precision": "1%"}
COMPONENT_KEYS = {"name", "params"}
COLLECTOR_KEYS = COMPONENT_KEYS | {"heaps", "min_heap", "allocators"}
# Run flags a sweep sets itself, or that would break one run per cell.
RESERVED_FLAGS = {"collector", "allocator", "workload", "heap", "mutators",
                  "gc-threads", "seed", "json", "quiet", "param", "trace"}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MULTIPLE = re.compile(r"^(\d+(?:\.\d+)?)x$")
SIZE = re.compile(r"^\d+[KMG]?$")


class SweepError(Exception):
    """Bad sweep input: reported as one line, exit status 2."""


@dataclass(frozen=True)
class Component:
    name: str
    params: tuple = ()  # sorted (key, value-as-text) pairs

    def param_args(self, kind: str) -> list:
        return [f"--param={kind}.{key}={value}" for key, value in self.params]

    def label(self) -> str:
        if not self.params:
            return self.name
        inner = ",".join(f"{key}={value}" for key, value in self.params)
        return f"{self.name}({inner})"


@dataclass(frozen=True)
class Heap:
    text: str                 # as written: "2x" or "64M"
    multiple: float | None    # 2.0 for "2x"; None for an absolute size
    own_min: bool = False     # a multiple of the pair's own minimum heap


@dataclass(frozen=True)
class CollectorChoice:
    component: Component
    heaps: tuple | None       # overrides the sweep's heaps
    own_min_heap: bool
    allocators: tuple | None  # names; overrides the sweep's allocators


@dataclass(frozen=True)
class Cell:
    """One run of the grid."""
    workload: Component
    collector: Component
    allocator: Component
    heap: Heap
    mutators: int
    gc_threads: int
    seed: int
    flags: tuple              # sorted (name, value) pairs
    invocation: int

    def configuration(self) -> str:
        """What invocations repeat: the key without the invocation."""
        parts = [f"{self.collector.label()}/{self.allocator.label()}",
                 self.workload.label(), f"heap={self.heap.text}",
                 f"mutators={self.mutators}", f"gc-threads={self.gc_threads}",
                 f"seed={self.seed}"]
        parts += [flag_text(name, value) for name, value in self.flags]
        return " ".join(parts)

    def key(self) -> str:
        return f"{self.configuration()} #{self.invocation}"


def flag_text(name: str, value) -> str:
    if value is True:
        return f"--{name}"
    return f"--{name}={value}"


@dataclass
class Sweep:
    name: str
    definition: dict          # normalised, as recorded beside the results
    digest: str
    workloads: list
    collectors: list
    allocators: list
    heaps: list
    min_heap: dict
    mutators: list
    gc_threads: list
    seeds: list
    invocations: int
    shuffle: bool
    flag_axes: list           # [(name, [values])], one value for fixed flags
    timeout: float
    skipped: list = field(default_factory=list)  # (collector, allocator, why)


def read_sweep_file(path: Path) -> dict:
    try:
        text = path.read_text()
    except OSError as error:
        raise SweepError(f"cannot read {path}: {error.strerror}") from None
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise SweepError(f"{path} is not valid "
                         f"{'TOML' if path.suffix == '.toml' else 'JSON'}: "
                         f"{error}") from None


def as_list(value, what: str) -> list:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise SweepError(f"'{what}' is empty")
    return items


def positive_ints(value, what: str) -> list:
    items = as_list(value, what)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise SweepError(f"bad {what} {item!r}: expected positive "
                             "integers")
    if len(set(items)) != len(items):
        raise SweepError(f"'{what}' lists a value twice")
    return items


def parse_heap(text, own_min: bool = False) -> Heap:
    if not isinstance(text, str):
        text = str(text)
    match = MULTIPLE.match(text)
    if match:
        multiple = float(match.group(1))
        if multiple <= 0:
            raise SweepError(f"bad heap '{text}': a multiple must be above 0")
        return Heap(text, multiple, own_min)
    if SIZE.match(text):
        return Heap(text, None, own_min)
    raise SweepError(f"bad heap '{text}': expected a multiple of the minimum "
                     "heap such as 1.5x or 4x, or a size such as 64M")


def parse_params(value, where: str) -> tuple:
    if not isinstance(value, dict):
        raise SweepError(f"'params' of {where} must be a table of "
                         "name = value")
    params = []
    for key, item in value.items():
        if isinstance(item, (dict, list)) or item is None:
            raise SweepError(f"bad parameter {key} of {where}: expected a "
                             "single value")
        text = str(int(item)) if isinstance(item, bool) else str(item)
        params.append((key, text))
    return tuple(sorted(params))


def parse_component(entry, what: str, allowed: set) -> tuple:
    if isinstance(entry, str):
        return Component(entry), {}
    if not isinstance(entry, dict) or "name" not in entry:
        raise SweepError(f"each of '{what}' is a name or a table with 'name'")
    unknown = set(entry) - allowed
    if unknown:
        raise SweepError(f"unknown key '{sorted(unknown)[0]}' in {what} "
                         f"'{entry['name']}' (known: {', '.join(sorted(allowed))})")
    params = parse_params(entry.get("params", {}), f"'{entry['name']}'")
    return Component(entry["name"], params), entry


def check_names(components: list, known: set, kind: str) -> None:
    for component in components:
        if component.name not in known:
            raise SweepError(f"unknown {kind} '{component.name}' (known: "
                             f"{', '.join(sorted(known))})")


def parse_flags(value) -> list:
    if not isinstance(value, dict):
        raise SweepError("'flags' must be a table of run flags")
    axes = []
    for name, item in sorted(value.items()):
        if name in RESERVED_FLAGS:
            raise SweepError(f"flag '{name}' is set by the sweep itself, "
                             "not in 'flags'")
        values = item if isinstance(item, list) else [item]
        if not values:
            raise SweepError(f"flag '{name}' lists no value")
        for one in values:
            if isinstance(one, (dict, list)) or one is None:
                raise SweepError(f"bad value for flag '{name}'")
        axes.append((name, values))
    return axes


def digest_of(definition: dict) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_sweep(path: Path, listing: dict) -> Sweep:
    """Reads and checks a sweep file against `gclab list --json`."""
    raw = read_sweep_file(path)
    if not isinstance(raw, dict):
        raise SweepError(f"{path}: a sweep file is a table of keys")
    unknown = set(raw) - set(TOP_LEVEL)
    if unknown:
        raise SweepError(f"unknown key '{sorted(unknown)[0]}' in {path} "
                         f"(known: {', '.join(TOP_LEVEL)})")
    for key, default in TOP_LEVEL.items():
        if default is None and key not in raw:
            raise SweepError(f"{path}: missing required key '{key}'")
    definition = {key: raw.get(key, default)
                  for key, default in TOP_LEVEL.items()}

    name = definition["name"]
    if not isinstance(name, str) or not NAME.match(name):
        raise SweepError(f"bad name {name!r}: letters, digits, '.', '_' and "
                         "'-', for the results folder")

    workloads = [parse_component(entry, "workloads", COMPONENT_KEYS)[0]
                 for entry in as_list(definition["workloads"], "workloads")]
    allocators = [parse_component(entry, "allocators", COMPONENT_KEYS)[0]
                  for entry in as_list(definition["allocators"], "allocators")]
    collectors = []
    for entry in as_list(definition["collectors"], "collectors"):
        component, table = parse_component(entry, "collectors",
                                           COLLECTOR_KEYS)
        own = table.get("min_heap", "workload")
        if own not in ("workload", "own"):
            raise SweepError(f"bad min_heap {own!r} of collector "
                             f"'{component.name}': expected 'workload' (the "
                             "workload's minimum heap) or 'own' (the pair's)")
        heaps = None
        if "heaps" in table:
            heaps = tuple(parse_heap(heap, own == "own")
                          for heap in as_list(table["heaps"], "heaps"))
        only = None
        if "allocators" in table:
            only = tuple(as_list(table["allocators"], "allocators"))
        collectors.append(CollectorChoice(component, heaps, own == "own",
                                          only))

    known = {kind: {entry["name"] for entry in listing[kind]}
             for kind in ("collectors", "allocators", "workloads")}
    check_names(workloads, known["workloads"], "workload")
    check_names(allocators, known["allocators"], "allocator")
    check_names([choice.component for choice in collectors],
                known["collectors"], "collector")
    named = {allocator.name for allocator in allocators}
    for choice in collectors:
        for allocator in choice.allocators or ():
            if allocator not in named:
                raise SweepError(f"collector '{choice.component.name}' "
                                 f"names allocator '{allocator}', which the "
                                 "sweep's 'allocators' does not list")

    heaps = [parse_heap(heap) for heap in as_list(definition["heaps"], "heaps")
             ] if definition["heaps"] else []
    if not heaps and any(choice.heaps is None for choice in collectors):
        raise SweepError(f"{path}: missing required key 'heaps' (or 'heaps' "
                         "for every collector)")

    min_heap = definition["min_heap"]
    if not isinstance(min_heap, dict) or set(min_heap) - set(MIN_HEAP_KEYS):
        raise SweepError("'min_heap' is a table of collector, allocator and "
                         "precision")
    min_heap = {**MIN_HEAP_KEYS, **min_heap}
    if min_heap["collector"] not in known["collectors"]:
        raise SweepError(f"unknown collector '{min_heap['collector']}' in "
                         "min_heap")
    if min_heap["allocator"] not in known["allocators"]:
        raise SweepError(f"unknown allocator '{min_heap['allocator']}' in "
                         "min_heap")

    invocations = definition["invocations"]
    if isinstance(invocations, bool) or not isinstance(invocations, int) \
            or invocations < 1:
        raise SweepError(f"bad invocations {invocations!r}: expected a "
                         "positive integer")
    timeout = definition["timeout"]
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or timeout <= 0:
        raise SweepError(f"bad timeout {timeout!r}: expected seconds above 0")
    if not isinstance(definition["shuffle"], bool):
        raise SweepError("'shuffle' is true or false")
    flags = {"pretouch": True, **definition["flags"]} \
        if isinstance(definition["flags"], dict) else definition["flags"]

    sweep = Sweep(
        name=name, definition=definition, digest=digest_of(definition),
        workloads=workloads, collectors=collectors, allocators=allocators,
        heaps=heaps, min_heap=min_heap,
        mutators=positive_ints(definition["mutators"], "mutators"),
        gc_threads=positive_ints(definition["gc_threads"], "gc_threads"),
        seeds=positive_ints(definition["seeds"], "seeds"),
        invocations=invocations, shuffle=definition["shuffle"],
        flag_axes=parse_flags(flags), timeout=float(timeout))
    verdicts = {(pair["collector"], pair["allocator"]): pair
                for pair in listing["pairs"]}
    for choice in collectors:
        for allocator in choice_allocators(choice, allocators):
            verdict = verdicts[(choice.component.name, allocator.name)]
            if not verdict["fits"]:
                sweep.skipped.append((choice.component.name, allocator.name,
                                      verdict["reason"]))
    return sweep


def choice_allocators(choice: CollectorChoice, allocators: list) -> list:
    if choice.allocators is None:
        return allocators
    return [allocator for allocator in allocators
            if allocator.name in choice.allocators]


def configurations(sweep: Sweep) -> list:
    """Every cell of invocation 0, in grid order (the last axis fastest)."""
    cells = []
    misfits = {(collector, allocator) for collector, allocator, _ in
               sweep.skipped}
    flag_names = [name for name, _ in sweep.flag_axes]
    flag_values = [values for _, values in sweep.flag_axes]
    for workload in sweep.workloads:
        for choice in sweep.collectors:
            for allocator in choice_allocators(choice, sweep.allocators):
                if (choice.component.name, allocator.name) in misfits:
                    continue
                heaps = choice.heaps if choice.heaps is not None \
                    else sweep.heaps
                for heap, mutators, gc_threads, seed, values in \
                        itertools.product(heaps, sweep.mutators,
                                          sweep.gc_threads, sweep.seeds,
                                          itertools.product(*flag_values)):
                    flags = tuple((name, value) for name, value in
                                  zip(flag_names, values) if value is not False)
                    if choice.own_min_heap:
                        heap = dataclasses.replace(heap, own_min=True)
                    cells.append(Cell(workload, choice.component, allocator,
                                      heap, mutators, gc_threads, seed, flags,
                                      0))
    return cells


def schedule(sweep: Sweep) -> list:
    """Every cell, invocation by invocation: each invocation runs the whole
    grid once, so that a drift of the machine spreads over every
    configuration instead of landing on one (Georges et al. 2007). With
    `shuffle`, each invocation's order is a fresh permutation, seeded by the
    invocation, so that reruns schedule alike."""
    grid = configurations(sweep)
    cells = []
    for invocation in range(sweep.invocations):
        order = list(grid)
        if sweep.shuffle:
            random.Random(invocation).shuffle(order)
        cells += [dataclasses.replace(cell, invocation=invocation)
                  for cell in order]
    return cells
