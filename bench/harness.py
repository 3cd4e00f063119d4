"""Shared benchmark plumbing: result rows, a ratio table, the machine, timing.

Every benchmark returns `Result` rows (its figure, the same run's baseline, the target as a
test of their ratio); `bench/__main__.py` prints them and writes them into
docs/performance.md (bench/summary.py), so the page never shows a figure the bench did not
measure."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

DEFAULT_BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/yakist_bench"


@dataclass
class Result:
    """One benchmark: our figure, the baseline's, and what 'better' means for their ratio."""

    name: str
    measured: float
    baseline: float
    unit: str
    target: str
    # ratio = measured / baseline; `ok` says whether the ratio meets the target.
    ok: Callable[[float], bool]
    note: str = ""
    # Why this run is smaller than the documented one (a scale knob), "" at full scale: a
    # reduced run is for development and is not written into docs/performance.md by default.
    reduced: str = ""
    # How the ratio is printed ("{:.2f}" unless a figure needs more or fewer digits).
    ratio_format: str = "{:.2f}"

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else float("inf")

    @property
    def met(self) -> bool:
        return bool(self.ok(self.ratio))


def bench_database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_BENCH_DATABASE


def sibling_database_url(suffix: str) -> str:
    """The bench database's name with a suffix (…/yakist_bench → …/yakist_bench_portal): each
    benchmark that shapes its own data keeps it apart from the others'."""
    base, name = bench_database_url().rsplit("/", 1)
    return f"{base}/{name}_{suffix}"


def env_scale() -> float:
    """BENCH_SCALE (default 1): a fraction of the documented data sizes, for trial runs."""
    return float(os.environ.get("BENCH_SCALE", "1") or 1)


@contextmanager
def stopwatch():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


def machine() -> str:
    """Cores, memory and CPU model of this machine, for the record beside the figures."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores{memory}, {cpu}"


def format_figure(value: float, unit: str) -> str:
    digits = 0 if abs(value) >= 1000 else 2
    return f"{value:,.{digits}f} {unit}".strip()


def print_results(results: list[Result], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Yakist benchmarks (ratio = measured / baseline, same run)")
    for column in ("benchmark", "measured", "baseline", "ratio", "target", "met"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.name,
            format_figure(r.measured, r.unit),
            format_figure(r.baseline, r.unit),
            r.ratio_format.format(r.ratio),
            r.target,
            "yes" if r.met else "NO",
        )
    console.print(table)
    for r in results:
        if r.note:
            console.print(f"[dim]{r.name}: {r.note}[/dim]")
        if r.reduced:
            console.print(f"[yellow]{r.name}: reduced scale ({r.reduced})[/yellow]")
