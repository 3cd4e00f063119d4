"""bench/ingest/growth: does the intake keep its pace as `ingest_event` grows?

The same signed HTTP batches as bench/ingest/run.py go to two databases side by side, round by
round: the bench database (`BENCH_DATABASE_URL`, events of the demo world only) and its twin
`<name>_growth`, whose event table already holds `BENCH_GROWTH_ROWS` (20 million) events of a
filler system spread over the past twelve months — written set-based with
`INSERT … SELECT … FROM generate_series`, one million rows a transaction, and kept for the
next run (only what is missing is added). The figure is the rate with the filler over the rate
without it (target ≥ 0.9): month partitions (docs/scaling.md §1) keep the current month's
indexes small however large the table gets; only the idempotency key table is global.

    BENCH_DATABASE_URL=postgres://… python -m bench.ingest.growth

Knobs: BENCH_GROWTH_ROWS (filler rows, default 20 000 000), BENCH_GROWTH_EVENTS (events sent
per round to each database, default 50 000), BENCH_GROWTH_ROUNDS (default 3), and the server
and client knobs of bench/ingest/run.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console

from bench.harness import bench_database_url
from bench.ingest import run as ingest

FILLER_ROWS = int(os.environ.get("BENCH_GROWTH_ROWS", "20000000"))
EVENTS = int(os.environ.get("BENCH_GROWTH_EVENTS", "50000"))
ROUNDS = int(os.environ.get("BENCH_GROWTH_ROUNDS", "3"))
TARGET = 0.9
CHUNK = 1_000_000  # filler rows a transaction
FILLER_SYSTEM = "growth-filler"  # not "bench-…": bench/ingest/run.py forgets those events
# Filler row i is received at i × STEP after the start of the twelve months before this one:
# 20 million rows fill the twelve months, fewer fill the earliest of them.
MONTHS_BACK = 12
REFERENCE_ROWS = 20_000_000
PROGRESS = "bench_growth_filler"


def run(console: Console | None = None) -> dict:
    """Measure; return the rates, their ratio and what the filler cost to make."""
    console = console or Console()
    empty_url = bench_database_url()
    filled_url = _twin(empty_url)
    with tempfile.TemporaryDirectory(prefix="yakist-growth-") as var_dir:
        sides = {}
        for label, url in (("empty", empty_url), ("filled", filled_url)):
            console.print(f"{label}: {ingest._redacted(url)}; migrate, demo…")
            sides[label] = _Side(url, Path(var_dir) / label)
        filler = _filler_ensure(sides["filled"], console)
        try:
            for side in sides.values():
                side.start()
            rates: dict[str, list[float]] = {"empty": [], "filled": []}
            per_round = EVENTS - EVENTS % ingest.BATCH or ingest.BATCH
            for number in range(ROUNDS):
                for label, side in sides.items():
                    rates[label].append(side.send(per_round))
                console.print(
                    f"  раунд {number + 1}: порожня {rates['empty'][-1]:,.0f} подій/с; "
                    f"з {filler['rows']:,} подій {rates['filled'][-1]:,.0f} подій/с"
                )
        finally:
            for side in sides.values():
                side.stop()
    # The machine is shared and noisy: each side is judged by its best round.
    empty, filled = max(rates["empty"]), max(rates["filled"])
    return {
        "empty_events_per_second": empty,
        "filled_events_per_second": filled,
        "ratio": filled / empty,
        "target": TARGET,
        "ok": filled / empty >= TARGET,
        "filler_rows": filler["rows"],
        "filler_seconds_per_million": filler["seconds_per_million"],
        "events_per_round": per_round,
        "rounds": ROUNDS,
    }


def _twin(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(parts.path, f"{parts.path}_growth")


class _Side:
    """One database with its world, a bench system and a production server in front of it."""

    def __init__(self, url: str, var_dir: Path):
        var_dir.mkdir(parents=True)
        self.url, self.var_dir = url, var_dir
        self.env = ingest._env(url, str(var_dir))
        ingest._database_create(url)
        subprocess.run([ingest.YAKIST, "migrate", "-v0"], check=True, env=self.env, cwd=ingest.ROOT)
        if not ingest._world_ready(url):
            subprocess.run(
                [ingest.YAKIST, "demo", "--scale", "0.01"],
                check=True,
                env=self.env,
                cwd=ingest.ROOT,
                stdout=subprocess.DEVNULL,
            )
        _bench_events_forget(url)
        self.key_id, self.private = ingest._system_register(self.env, str(var_dir))
        self.codes = ingest._codes(url)
        self.server: subprocess.Popen | None = None

    def start(self) -> None:
        self.port = ingest._free_port()
        self.server = subprocess.Popen(
            [
                ingest.YAKIST,
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(ingest.WORKERS),
                "--threads",
                str(ingest.THREADS),
            ],
            env=self.env,
            cwd=ingest.ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        ingest._wait_healthy(self.port)
        ingest._warm_up(self.port, self.key_id, self.private, self.codes, Console(quiet=True))

    def send(self, count: int) -> float:
        events = ingest._events(
            self.codes, count, seed=random.getrandbits(32), run_id=uuid.uuid4().hex[:8]
        )
        requests = [
            ingest._signed(
                json.dumps(
                    {"events": events[i : i + ingest.BATCH]}, separators=(",", ":")
                ).encode(),
                self.key_id,
                self.private,
                self.port,
            )
            for i in range(0, len(events), ingest.BATCH)
        ]
        seconds, accepted = ingest._send_all(self.port, requests)
        if accepted != len(events):
            raise RuntimeError(f"прийнято {accepted} з {len(events)} подій")
        return accepted / seconds

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)


def _bench_events_forget(url: str) -> None:
    """Earlier runs' bench events go (the filler stays), so every run starts alike."""
    with psycopg.connect(url) as conn:
        bench_systems = "SELECT id FROM registry_connectedsystem WHERE name LIKE 'bench-%%'"
        conn.execute(f"DELETE FROM ingest_event WHERE system_id IN ({bench_systems})")
        conn.execute(f"DELETE FROM ingest_journal WHERE system_id IN ({bench_systems})")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ingest_event, ingest_eventkey, ingest_journal")


def _filler_ensure(side: _Side, console: Console) -> dict:
    """Bring the filler up to FILLER_ROWS, a million rows a transaction, resuming where an
    earlier run stopped; return how many rows there are and what a million cost."""
    with psycopg.connect(side.url, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {PROGRESS} "
            "(chunk integer PRIMARY KEY, rows integer NOT NULL, seconds float8 NOT NULL)"
        )
        done = dict(conn.execute(f"SELECT chunk, rows FROM {PROGRESS}").fetchall())
        system_id = _filler_system(side, conn)
        start = _months_back_start()
        wanted = range((FILLER_ROWS + CHUNK - 1) // CHUNK)
        if any(chunk not in done for chunk in wanted):
            _partitions_make(side, start)
        for chunk in wanted:
            if chunk in done:
                continue
            first, last = chunk * CHUNK, min((chunk + 1) * CHUNK, FILLER_ROWS) - 1
            started = time.perf_counter()
            with conn.transaction():
                _chunk_write(conn, system_id=system_id, start=start, first=first, last=last)
                seconds = time.perf_counter() - started
                conn.execute(
                    f"INSERT INTO {PROGRESS} VALUES (%s, %s, %s)",
                    [chunk, last - first + 1, seconds],
                )
            console.print(f"  наповнення: {last + 1:,} подій ({seconds:,.1f} с на цю частину)")
        if len(done) < len(wanted):
            console.print("  VACUUM ANALYZE наповнення…")
            conn.execute("VACUUM ANALYZE ingest_event, ingest_eventkey, ingest_journal")
        rows, seconds = conn.execute(
            f"SELECT coalesce(sum(rows), 0), coalesce(sum(seconds), 0) FROM {PROGRESS}"
        ).fetchone()
    return {"rows": rows, "seconds_per_million": seconds / rows * 1e6 if rows else None}


def _filler_system(side: _Side, conn) -> int:
    found = conn.execute(
        "SELECT id FROM registry_connectedsystem WHERE name = %s", [FILLER_SYSTEM]
    ).fetchone()
    if found:
        return found[0]
    pem = side.var_dir / "filler.pub.pem"
    pem.write_bytes(_public_pem())
    subprocess.run(
        [
            ingest.YAKIST,
            "systems",
            "add",
            FILLER_SYSTEM,
            "--public-key",
            str(pem),
            "--scope",
            "all",
        ],
        env=side.env,
        cwd=ingest.ROOT,
        check=True,
        capture_output=True,
    )
    return conn.execute(
        "SELECT id FROM registry_connectedsystem WHERE name = %s", [FILLER_SYSTEM]
    ).fetchone()[0]


def _public_pem() -> bytes:
    return (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _months_back_start() -> dt.datetime:
    zone = zoneinfo.ZoneInfo("Europe/Kyiv")
    today = dt.datetime.now(zone).date().replace(day=1)
    index = today.year * 12 + today.month - 1 - MONTHS_BACK
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)


def _partitions_make(side: _Side, start: dt.datetime) -> None:
    """The filler's months get their partitions first (the worker's own function)."""
    code = (
        "import datetime; from yakist.ingest.partitions import partitions_ensure; "
        f"partitions_ensure(since=datetime.date({start.year}, {start.month}, 1))"
    )
    subprocess.run([ingest.YAKIST, "shell", "-c", code], env=side.env, cwd=ingest.ROOT, check=True)


def _chunk_write(conn, *, system_id: int, start: dt.datetime, first: int, last: int) -> None:
    """Filler rows first..last: their journal entries (one per 1000 events, bodies already
    purged), their idempotency keys and the events, in the order of receipt."""
    step = (_months_back_end(start) - start).total_seconds() / REFERENCE_ROWS
    batch_received = "%(start)s::timestamptz + make_interval(secs => %(step)s * b * 1000)"
    params = {"system": system_id, "start": start, "step": step, "b0": first // 1000}
    journal_first = conn.execute(
        "INSERT INTO ingest_journal (system_id, key_id, received_at, source, sandbox, nonce, "
        "xroad_id, headers, body, redacted, event_count, accepted, duplicates, rejected, "
        "rejection_types, rejections, batch_error, processed_at) "
        f"SELECT %(system)s, 'growth', {batch_received}, 'api', false, '', '', '{{}}', '', "
        f"false, 1000, 1000, 0, 0, '{{}}', '[]', '', {batch_received} "
        "FROM generate_series(%(b0)s::bigint, %(b1)s::bigint) AS b ORDER BY b RETURNING id",
        {**params, "b1": last // 1000},
    ).fetchone()[0]
    conn.execute(
        "WITH g AS MATERIALIZED (SELECT i, gen_random_uuid() AS event_id, "
        "%(start)s::timestamptz + make_interval(secs => %(step)s * i) AS received_at "
        "FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i), "
        "k AS (INSERT INTO ingest_eventkey (system_id, event_id, received_at) "
        "SELECT %(system)s, event_id, received_at FROM g), "
        "r AS (SELECT (SELECT array_agg(id ORDER BY id) FROM registry_service) AS services, "
        "(SELECT array_agg(id ORDER BY id) FROM registry_centre) AS centres, "
        "(SELECT array_agg(id ORDER BY id) FROM registry_organisation) AS providers) "
        "INSERT INTO ingest_event (system_id, journal_id, received_at, event_id, case_id, type, "
        "occurred_at, service_id, centre_id, provider_id, channel, status, reason, rating, "
        "applicant_pseudonym) "
        "SELECT %(system)s, %(journal)s::bigint + i / 1000 - %(b0)s, received_at, event_id, "
        "'G-' || (i / 5), (ARRAY['submitted', 'registered', 'status_changed', 'completed', "
        "'issued'])[i %% 5 + 1], received_at - interval '1 hour', "
        "services[(i / 5) %% cardinality(services) + 1], "
        "centres[(i / 5) %% cardinality(centres) + 1], "
        "providers[(i / 5) %% cardinality(providers) + 1], 'offline', '', '', NULL, '' "
        "FROM g, r",
        {**params, "first": first, "last": last, "journal": journal_first},
    )


def _months_back_end(start: dt.datetime) -> dt.datetime:
    index = start.year * 12 + start.month - 1 + MONTHS_BACK
    return start.replace(year=index // 12, month=index % 12 + 1)


def main() -> int:
    console = Console()
    console.rule("bench/ingest/growth")
    result = run(console)
    console.print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
