"""bench/indicators: one quarter of national-scale data (≥ 5 M cases a year) through the
methodology engine versus one hand-written SQL query for the same figures, on PostgreSQL, in one
run; then the cost of an incremental update after 10,000 new events."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from bench.harness import Result, bench_database_url

ROOT = Path(__file__).resolve().parents[2]
CASES_PER_YEAR = int(os.environ.get("BENCH_CASES", "5000000"))


def run(console: Console) -> list[Result]:
    """The measurement runs in a child process with DATABASE_URL set to the bench database."""
    database = os.environ.get("BENCH_INDICATORS_DATABASE_URL") or (
        bench_database_url().rsplit("/", 1)[0] + "/yakist_bench_indicators"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "YAKIST_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "yakist.settings",
        "BENCH_CASES": str(CASES_PER_YEAR),
    }
    _ensure_database(database)
    done = subprocess.run(
        [sys.executable, "-m", "bench.indicators.measure"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    console.print(done.stdout.rstrip())
    if done.returncode != 0:
        console.print(done.stderr[-4000:])
        raise RuntimeError("bench/indicators failed")
    figures = dict(
        line.split("=", 1)
        for line in done.stdout.splitlines()
        if "=" in line and line.startswith("FIG ")
    )
    engine, hand = float(figures["FIG engine_s"]), float(figures["FIG hand_sql_s"])
    incremental, full = float(figures["FIG incremental_s"]), engine
    return [
        Result(
            "indicators: quarter via engine vs hand SQL",
            engine,
            hand,
            "s",
            "≤ 1.5",
            ok=lambda ratio: ratio <= 1.5,
            note=f"{figures['FIG cases']} cases/year, quarter {figures['FIG period']}",
        ),
        Result(
            "indicators: incremental (10k events) vs full",
            incremental,
            full,
            "s",
            "≪ 1",
            ok=lambda ratio: ratio < 0.5,
            note="incremental recompute of touched centres/providers + roll-ups + ratings",
        ),
    ]


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value
