"""Keeping the case cube and the duration histograms by deltas, as cases are projected.

A projection tells each case's facts before and after (`cases_projected`, changes); a case
counts in the cube row of every period it was received, finished or rated in, and in the
histograms of every level and the per-service slice of the period it finished in. Its
contribution after minus its contribution before is appended as rows of differences (readers
sum a key's rows), so the incremental run costs the new events, not the cases of the subjects
they touched. Periods never computed are skipped: their first run counts everything.

Deltas and the full run's recount take one lock (PostgreSQL), so a recount never misses a
delta nor counts one twice: a projection that commits first is in the recount's snapshot and
its delta rows are deleted with the period's; one that waits adds its delta to the recount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from yakist.cases.store import CaseFacts
from yakist.core.periods import Period
from yakist.indicators.dirty_marks import computed_periods, periods_touched
from yakist.indicators.histograms import case_bucket, histograms_write
from yakist.indicators.inputs import CASE_COUNTS

CUBE_LOCK = 7_402_864  # PostgreSQL advisory lock: the cube's deltas against its recount

# (main centre, provider, region, hromada, channel)
CubeKey = tuple[object, object, object, object, str]


def cube_lock() -> None:
    """Hold the cube's lock until the end of the transaction (PostgreSQL; SQLite has one writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CUBE_LOCK])


def cube_counts(facts: CaseFacts, period: Period) -> tuple[int, ...]:
    """A case's counts in a period's cube, in CASE_COUNTS order (as inputs.cube_rebuild)."""
    start, end = period.start, period.end
    received = facts.received_at is not None and start <= facts.received_at < end
    done = facts.done_at is not None and start <= facts.done_at < end
    done = done and facts.outcome != "withdrawn"
    rated = facts.rated_at is not None and start <= facts.rated_at < end
    rated = rated and facts.rating is not None
    return (
        int(received),
        int(received and facts.channel == "online"),
        int(done and facts.on_time is not None),
        int(done and facts.on_time is True),
        int(done and facts.outcome == "refused"),
        int(done and facts.outcome == "issued"),
        int(rated),
        int(rated and facts.rating >= 9),
        int(rated and facts.rating <= 6),
    )


def finished_with_term(facts: CaseFacts, period: Period) -> bool:
    """Whether a case finished in the period with a term (as inputs.finished_stats reads)."""
    return (
        facts.done_at is not None
        and period.start <= facts.done_at < period.end
        and facts.on_time is not None
        and facts.outcome != "withdrawn"
    )


def histogram_places(facts: CaseFacts, period: Period) -> list[tuple[str, str, int]]:
    """(level, subject, bucket) of a case in a period's histograms: none unless it finished in
    the period with a term."""
    if not finished_with_term(facts, period):
        return []
    bucket = case_bucket(facts.received_at, facts.done_at, facts.due_at)
    if bucket is None:
        return []
    subjects = (
        ("centre", facts.main_centre_id),
        ("provider", facts.provider_id),
        ("hromada", facts.hromada_id),
        ("region", facts.region_id),
        ("nation", ""),
    )
    return [(level, str(key), bucket) for level, key in subjects if key is not None]


def deltas_apply(changes: Iterable[tuple[CaseFacts | None, CaseFacts]]) -> int:
    """Append the changes' differences to the cube and histograms of computed periods; returns
    how many rows were appended."""
    changes = [(old, new) for old, new in changes if old != new]
    if not changes:
        return 0
    moments = [
        moment
        for change in changes
        for facts in change
        if facts is not None
        for moment in (facts.received_at, facts.done_at, facts.rated_at)
        if moment
    ]
    codes = computed_periods(periods_touched(moments))
    if not codes:
        return 0
    # The lock lasts to the end of the outermost transaction (the projection's), so the rows
    # land before a recount can start; alone, this block is that transaction.
    with transaction.atomic():
        cube_lock()
        return sum(_period_apply(Period.parse(code), changes) for code in sorted(codes))


def _period_apply(period: Period, changes: list[tuple[CaseFacts | None, CaseFacts]]) -> int:
    cube: dict[CubeKey, list[int]] = defaultdict(lambda: [0] * len(CASE_COUNTS))
    histogram: dict[tuple[str, str, int], int] = defaultdict(int)
    slices: dict[tuple[object, object], list[int]] = defaultdict(lambda: [0, 0])
    for old, new in changes:
        for facts, sign in ((old, -1), (new, 1)):
            if facts is None:
                continue
            counts = cube_counts(facts, period)
            if any(counts):
                row = cube[_cube_key(facts)]
                for index, value in enumerate(counts):
                    row[index] += sign * value
            for place in histogram_places(facts, period):
                histogram[place] += sign
            if finished_with_term(facts, period):
                done = slices[(facts.region_id, facts.service_id)]
                done[0] += sign
                done[1] += sign * (facts.on_time is True)
    return (
        _cube_write(period.code, cube)
        + _histogram_write(period.code, histogram)
        + _slices_write(period.code, slices)
    )


def _cube_key(facts: CaseFacts) -> CubeKey:
    return (
        facts.main_centre_id,
        facts.provider_id,
        facts.region_id,
        facts.hromada_id,
        facts.channel,
    )


def _cube_write(code: str, cube: dict[CubeKey, list[int]]) -> int:
    from yakist.indicators.models import CaseCube

    rows = [
        CaseCube(
            period=code,
            main_centre_id=centre,
            provider_id=provider,
            region_id=region,
            hromada_id=hromada,
            channel=channel,
            **dict(zip(CASE_COUNTS, counts, strict=True)),
        )
        for (centre, provider, region, hromada, channel), counts in cube.items()
        if any(counts)
    ]
    CaseCube.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _histogram_write(code: str, histogram: dict[tuple[str, str, int], int]) -> int:
    rows = [(level, subject, bucket, n) for (level, subject, bucket), n in histogram.items() if n]
    histograms_write(code, rows)
    return len(rows)


def _slices_write(code: str, slices: dict[tuple[object, object], list[int]]) -> int:
    from yakist.indicators.models import ServiceSlice

    rows = [
        ServiceSlice(
            period=code, region_id=region, service_id=service, done_with_term=done, on_time=in_time
        )
        for (region, service), (done, in_time) in slices.items()
        if done or in_time
    ]
    ServiceSlice.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
