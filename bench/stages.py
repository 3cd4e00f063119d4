"""`python -m bench profile ingest --stages`: the intake's stages timed without a profiler.

Each stage function is wrapped for the run (wall time, and the CPU time of the PostgreSQL
backend serving this process, read from /proc/<pid>/stat); a stage called inside another
(`_key_in_force` in `request_verify`) is counted in both. The whole run also reports this
process's CPU time. Batches go through the whole request path in-process (bench/signed.py).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

TICKS = os.sysconf("SC_CLK_TCK")


def _stages() -> list[tuple[object, str]]:
    """(module, function name) of each stage, as `events_intake` reaches it."""
    from yakist.ingest import services, signatures, store, validation

    return [
        (services, "request_verify"),
        (signatures, "_key_in_force"),
        (services.datalist, "agreed_list"),
        (services, "enforce_rate_limit"),
        (validation, "batch_parse"),
        (validation, "_events_accept"),
        (services, "journal_body"),
        (services, "nonce_use"),
        (store, "journal_insert"),
        (store, "events_insert"),
    ]


def _backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _backend_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@contextmanager
def _wrapped(pid: int, wall: Counter, backend: Counter):
    originals = []
    for module, name in _stages():
        function = getattr(module, name)
        originals.append((module, name, function))
        setattr(module, name, _timed(function, name, pid, wall, backend))
    try:
        yield
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def _timed(function: Callable, name: str, pid: int, wall: Counter, backend: Counter):
    def timed(*args, **kwargs):
        started, backend_started = time.perf_counter(), _backend_seconds(pid)
        try:
            return function(*args, **kwargs)
        finally:
            wall[name] += time.perf_counter() - started
            backend[name] += _backend_seconds(pid) - backend_started

    return timed


def stages_print(batches: int, console: Console) -> None:
    from django.db import connection

    from bench import signed

    intake = signed.Intake("bench-stages")
    try:
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        events = signed.events(
            signed.codes(), cases=(batches + 3) * 200, start=start, days=20, seed=time.time_ns()
        )
        bodies = signed.bodies(events)
        for body in bodies[:3]:  # imports, caches and the first connection before the clock
            intake.post(body)
        pid = _backend_pid(connection)
        wall: Counter[str] = Counter()
        backend: Counter[str] = Counter()
        with _wrapped(pid, wall, backend):
            started, cpu, backend_cpu = (
                time.perf_counter(),
                time.process_time(),
                _backend_seconds(pid),
            )
            for body in bodies[3:]:
                intake.post(body)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            backend_cpu = _backend_seconds(pid) - backend_cpu
        if _backend_pid(connection) != pid:  # a reconnection would hide the backend's CPU
            raise RuntimeError("з'єднання з PostgreSQL змінилося під час виміру")
    finally:
        intake.remove()
    table = Table(title=f"{batches} пакетів по 1000 подій / batches, ms a batch")
    for column in ("stage", "wall", "PostgreSQL CPU"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    per = 1000 / batches
    for name, seconds in wall.most_common():
        table.add_row(name, f"{seconds * per:.2f}", f"{backend[name] * per:.2f}")
    table.add_row("whole request", f"{elapsed * per:.2f}", f"{backend_cpu * per:.2f}")
    console.print(table)
    console.print(
        f"CPU a batch: this process {cpu * per:.2f} ms, its PostgreSQL backend "
        f"{backend_cpu * per:.2f} ms, together {(cpu + backend_cpu) * per:.2f} ms"
    )
