"""`python -m bench profile ingest`: where the intake's request handling spends its time.

Signed batches of 1000 events go through the whole request path in-process — Django's
middleware, the API view, signature and digest verification, validation, journal and insert
(bench/signed.py, Django's test client, no server or sockets) — under cProfile, against the
ingest bench's PostgreSQL database (BENCH_DATABASE_URL, prepared as `python -m bench ingest`
prepares it). Prints the per-batch time and the top functions by cumulative and own time.

    python -m bench profile ingest [--batches 30] [--top 30] [--save out.prof]
    python -m bench profile ingest --stages [--batches 100]

The saved profile opens with `python -m pstats out.prof` or snakeviz. `--stages` runs without
the profiler: it times each stage of the intake (wall clock) and reads the CPU time of this
process and of its PostgreSQL backend (from /proc, so on the database's own machine), per
batch: the figures each change to the intake is judged by (docs/performance.md)."""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import subprocess
import tempfile
import time

from rich.console import Console

from bench.harness import bench_database_url


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile")
    parser.add_argument("target", choices=["ingest"])
    parser.add_argument("--batches", type=int, default=30, help="batches of 1000 events")
    parser.add_argument("--top", type=int, default=30, help="functions listed per ordering")
    parser.add_argument("--save", help="write the raw profile to this file")
    parser.add_argument("--stages", action="store_true", help="stage times and CPU, no cProfile")
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory(prefix="yakist-bench-profile-") as var_dir:
        _prepare(var_dir, console)
        if args.stages:
            from bench.stages import stages_print

            stages_print(args.batches, console)
        else:
            _profile(args, console)
    return 0


def _prepare(var_dir: str, console: Console) -> None:
    """The ingest bench's database with its demo world, then Django set up in this process
    with the same settings the bench's server gets."""
    from bench.ingest import run as ingest

    url = bench_database_url()
    ingest._database_create(url)
    env = ingest._env(url, var_dir)
    console.print("База / database: migrate, demo world if missing …")
    subprocess.run([ingest.YAKIST, "migrate", "-v0"], check=True, env=env, cwd=ingest.ROOT)
    if not ingest._world_ready(url):
        subprocess.run(
            [ingest.YAKIST, "demo", "--scale", "0.01"],
            check=True,
            env=env,
            cwd=ingest.ROOT,
            stdout=subprocess.DEVNULL,
        )
    os.environ.update({**env, "YAKIST_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "yakist.settings"})
    import django

    django.setup()


def _profile(args: argparse.Namespace, console: Console) -> None:
    from bench import signed

    intake = signed.Intake("bench-profile")
    try:
        codes = signed.codes()
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        events = signed.events(
            codes, cases=(args.batches + 3) * 200, start=start, days=20, seed=int(time.time())
        )
        bodies = signed.bodies(events)
        for body in bodies[:3]:  # imports, caches and the first connection before the clock
            intake.post(body)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for body in bodies[3:]:
            intake.post(body)
        profiler.disable()
        elapsed = time.perf_counter() - started
    finally:
        intake.remove()
    batches = len(bodies) - 3
    console.print(
        f"{batches} пакетів по 1000 подій / batches of 1000 events: {elapsed:.2f} s under "
        f"cProfile, {1000 * elapsed / batches:.1f} ms a batch (the profiler adds its overhead)"
    )
    if args.save:
        profiler.dump_stats(args.save)
        console.print(f"Профіль записано / profile saved: {args.save}")
    stats = pstats.Stats(profiler)
    stats.strip_dirs()
    for order in ("cumulative", "tottime"):
        console.rule(f"top {args.top} by {order}")
        stats.sort_stats(order).print_stats(args.top)
