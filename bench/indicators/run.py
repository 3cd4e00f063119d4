"""bench/indicators: one quarter of national-scale data (5 M cases received in it) through the
methodology engine versus hand-written SQL for the same figures, on PostgreSQL, in one run,
both sides writing their figures from nothing stored and checked equal; then the cost of two
incremental updates against the full quarter.

Knobs: BENCH_SCALE (a fraction of the 5 M cases) or BENCH_CASES (the quarter's cases),
BENCH_INDICATORS_ROUNDS (timed runs per side, best counts, default 2),
BENCH_INDICATORS_INTAKE_EVENTS (events of the random-centres scenario, default 10,000; 0 skips
it), BENCH_INDICATORS_DATABASE_URL (default: the bench database's name + "_indicators")."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from bench.harness import Result, sibling_database_url

ROOT = Path(__file__).resolve().parents[2]
FULL_CASES = 5_000_000


def run(console: Console) -> list[Result]:
    """The measurement runs in a child process with DATABASE_URL set to its own database."""
    database = os.environ.get("BENCH_INDICATORS_DATABASE_URL") or sibling_database_url("indicators")
    _ensure_database(database)
    lines = _measure(console, database)
    figures = dict(line[4:].split("=", 1) for line in lines if line.startswith("FIG "))
    cases = int(figures["cases"])
    engine, hand = float(figures["engine_s"]), float(figures["hand_sql_s"])
    console.print(
        f"Квартал / quarter {figures['period']}: {cases:,} справ / cases received "
        f"({int(figures['done']):,} done); engine {engine:.2f} s vs hand SQL {hand:.2f} s; "
        f"рівність перевірено / equality checked for {int(figures['subjects']):,} subjects"
    )
    return _results(figures, cases=cases, engine=engine, hand=hand)


def _measure(console: Console, database: str) -> list[str]:
    """Run bench.indicators.measure; its progress is printed, its FIG lines returned."""
    with tempfile.TemporaryDirectory(prefix="yakist-bench-indicators-") as var_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("YAKIST_", "DJANGO_"))}
        env.update(
            {
                "DATABASE_URL": database,
                "YAKIST_DEBUG": "0",  # as in production: no query log, no debug checks
                "YAKIST_DEMO": "1",  # generated secrets; nothing on the measured path
                "YAKIST_VAR_DIR": var_dir,
                "YAKIST_INGEST_RATE_LIMIT": "1000000",
                "YAKIST_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "yakist.settings",
                "PYTHONPATH": str(ROOT),
            }
        )
        lines: list[str] = []
        errors = Path(var_dir) / "stderr.txt"
        with (
            errors.open("w") as stderr,
            subprocess.Popen(
                [sys.executable, "-m", "bench.indicators.measure"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            ) as child,
        ):
            for line in child.stdout:  # progress as it comes: the first run generates data
                lines.append(line.rstrip())
                if not line.startswith("FIG "):
                    console.print(line.rstrip(), markup=False, highlight=False)
        if child.returncode != 0:
            console.print(errors.read_text()[-4000:], markup=False)
            raise RuntimeError(f"bench/indicators failed (exit {child.returncode})")
    return lines


def _results(figures: dict[str, str], *, cases: int, engine: float, hand: float) -> list[Result]:
    events = int(figures.get("intake_events", 0))
    reduced = "; ".join(
        ([f"{cases:,} cases in the quarter, not {FULL_CASES:,}"] if cases < FULL_CASES else [])
        + ([f"{figures['rounds']} timed run(s) a side"] if int(figures["rounds"]) < 2 else [])
        + ([f"{events:,} intake events, not 10,000"] if events < 10_000 else [])
    )
    results = [
        Result(
            "indicators: quarter via engine vs hand SQL",
            engine,
            hand,
            "s",
            "≤ 1.5",
            ok=lambda ratio: ratio <= 1.5,
            note=f"{figures['period']} holds {cases:,} cases received ({int(figures['done']):,} "
            "done); each timed run from nothing stored for the quarter, both sides writing "
            "their figures; best of the runs; engine and hand SQL checked equal for "
            f"{int(figures['subjects']):,} subjects; YAKIST_DEBUG off",
            reduced=reduced,
        ),
    ]
    if "intake_refresh_s" in figures:
        checked = int(figures.get("intake_checked", 0))
        results += [
            Result(
                "indicators: incremental, signed events at random centres vs full quarter",
                float(figures["intake_refresh_s"]),
                engine,
                "s",
                "≤ 0.1",
                ok=lambda ratio: ratio <= 0.1,
                note=f"{events:,} events (cases of five) at random access points across the "
                "country, signed batches through the API in-process (Django test client), "
                f"projected by `cases_project_pending` ({float(figures['intake_sent_s']):.1f} s "
                "with the cube's and histograms' deltas, untimed), touching "
                f"{int(figures['intake_centres']):,} main centres; then `indicators_refresh` of "
                f"the quarter, timed; its {checked:,} figures checked against a full "
                "recomputation (counts exact, medians and P90s within half a bucket)",
                reduced=reduced,
            ),
            Result(
                "indicators: incremental, one oblast vs full quarter",
                float(figures["incremental_s"]),
                engine,
                "s",
                "< 0.5",
                ok=lambda ratio: ratio < 0.5,
                note=f"{events:,} events at the access points of one oblast with its providers, "
                "through the same intake and projection "
                f"({float(figures['oblast_sent_s']):.1f} s, untimed), touching "
                f"{int(figures['oblast_centres']):,} main centres; then `indicators_refresh`, "
                "timed",
                reduced=reduced,
            ),
        ]
    return results


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
