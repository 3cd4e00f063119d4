"""Shared benchmark plumbing: result rows, a ratio table, timing."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

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

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else float("inf")


def bench_database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_BENCH_DATABASE


@contextmanager
def stopwatch():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


def print_results(results: list[Result], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Yakist benchmarks (ratio = measured / baseline, same run)")
    for column in ("benchmark", "measured", "baseline", "ratio", "target", "met"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.name,
            f"{r.measured:,.2f} {r.unit}",
            f"{r.baseline:,.2f} {r.unit}",
            f"{r.ratio:.2f}",
            r.target,
            "yes" if r.ok(r.ratio) else "NO",
        )
    console.print(table)
    for r in results:
        if r.note:
            console.print(f"[dim]{r.name}: {r.note}[/dim]")
