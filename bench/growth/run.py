"""`python -m bench growth`: the intake's rate with the event table at ≥ 20 M rows over its rate
with the table empty (target ≥ 0.9); the work is in bench/ingest/growth.py."""

from __future__ import annotations

from rich.console import Console

from bench.harness import Result
from bench.ingest import growth

TARGET = growth.TARGET


def run(console: Console) -> list[Result]:
    found = growth.run(console)
    reduced = "" if found["filler_rows"] >= 20_000_000 else f"{found['filler_rows']:,} filler rows"
    return [
        Result(
            name="ingest growth: event table at ≥ 20 M rows vs empty",
            measured=found["filled_events_per_second"],
            baseline=found["empty_events_per_second"],
            unit="events/s",
            target=f"≥ {TARGET}",
            ok=lambda ratio: ratio >= TARGET,
            note=(
                f"{found['filler_rows']:,} filler events over twelve months of partitions; "
                f"{found['events_per_round']:,} signed events per round, {found['rounds']} "
                "rounds, best round each side"
            ),
            reduced=reduced,
        )
    ]
