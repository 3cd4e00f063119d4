"""Set-based reads of the methodology's inputs: one aggregate query per source and period.

Counts are taken once at a fine grain (main centre × provider × channel × service) and rolled
up in memory, because counts add up; percentiles do not, so they are computed per level in the
database where it can (PostgreSQL's percentile_cont over grouping sets), else exactly in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, Sum

from yakist.accounts.scope import Scope
from yakist.cases.models import Case
from yakist.core.periods import Period
from yakist.feedback.selectors import survey_responses_for
from yakist.registry import selectors as registry
from yakist.registry.models.reference import Centre, Organisation

INTERNAL = Scope(role=None, superuser=True)  # the engine reads everything; results are aggregates

CASE_COUNTS = (
    "received",
    "online",
    "done_with_term",
    "on_time",
    "refused",
    "issued",
    "rated",
    "promoters",
    "detractors",
)


@dataclass(frozen=True)
class CentreInfo:
    code: str
    hromada: str | None
    region: str
    population: int
    kind: str
    status: str


def centres() -> dict[int, CentreInfo]:
    return {
        pk: CentreInfo(code, hromada, region, population or 0, kind, status)
        for pk, code, hromada, region, population, kind, status in Centre.objects.values_list(
            "pk", "code", "hromada_id", "region_id", "population_served", "kind", "status"
        )
    }


def expected_subjects(centre_infos: dict[int, CentreInfo]) -> dict[str, set[str]]:
    """Subjects that must have a figure for every applicable indicator, even with no data:
    "not reported" is shown as such, never as a missing row (or a zero)."""
    from yakist.registry.models.reference import Territory

    mains = [c for c in centre_infos.values() if c.kind == "centre" and c.status != "closed"]
    return {
        "centre": {c.code for c in mains},
        "hromada": {c.hromada for c in mains if c.hromada},
        "region": set(
            Territory.objects.filter(category__in=Territory.TOP_LEVEL).values_list(
                "code", flat=True
            )
        ),
        "nation": {""},
        "provider": set(
            Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list(
                "code", flat=True
            )
        ),
    }


def providers() -> dict[int, tuple[str, int | None]]:
    """provider id -> (code, parent id) of the bodies that are monitoring subjects as providers.

    A local council that provides services is counted in its centre's and hromada's figures;
    provider-level figures are for the providers' own bodies (and their territorial units).
    """
    return {
        pk: (code, parent)
        for pk, code, parent in Organisation.objects.filter(
            kind=Organisation.Kind.PROVIDER
        ).values_list("pk", "code", "parent_id")
    }


def provider_regions(provider_ids: set[int]) -> dict[int, str | None]:
    return dict(Organisation.objects.filter(pk__in=provider_ids).values_list("pk", "region_id"))


def cube_rebuild(period: Period) -> int:
    """Recount the case cube of a period in the database, in one INSERT … SELECT (the full
    run; between full runs the projection appends deltas, yakist.indicators.deltas)."""
    from yakist.indicators.models import CaseCube

    cube, cases = CaseCube._meta.db_table, Case._meta.db_table
    CaseCube.objects.filter(period=period.code).delete()
    start, end = period.start, period.end
    received = "c.received_at >= %s AND c.received_at < %s"
    done = "c.done_at >= %s AND c.done_at < %s AND c.outcome <> 'withdrawn'"
    rated = "c.rated_at >= %s AND c.rated_at < %s AND c.rating IS NOT NULL"
    sql = f"""
        INSERT INTO {cube} (period, main_centre_id, provider_id, region_id, hromada_id, channel,
            received, online, done_with_term, on_time, refused, issued, rated,
            promoters, detractors)
        SELECT %s, c.main_centre_id, c.provider_id, c.region_id, c.hromada_id, c.channel,
            SUM(CASE WHEN {received} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {received} AND c.channel = 'online' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.on_time IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.on_time = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.outcome = 'refused' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.outcome = 'issued' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {rated} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {rated} AND c.rating >= 9 THEN 1 ELSE 0 END),
            SUM(CASE WHEN {rated} AND c.rating <= 6 THEN 1 ELSE 0 END)
        FROM {cases} c
        WHERE c.sandbox = %s
          AND ((c.received_at >= %s AND c.received_at < %s) OR (c.done_at >= %s AND c.done_at < %s)
               OR (c.rated_at >= %s AND c.rated_at < %s))
        GROUP BY c.main_centre_id, c.provider_id, c.region_id, c.hromada_id, c.channel
    """  # noqa: S608  (table names come from our models; every value is a parameter)
    window = [start, end]
    params = [
        period.code,
        *window * 4,  # received ×2, done (with a term), done (on time) …
        True,  # … on_time = true
        *window * 5,  # … refused, issued, rated ×3
        False,  # sandbox = false
        *window * 3,  # the WHERE clause
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# (level, cube column) in the order of a grouping set's key; "nation" is the empty set.
ROLLUP_SETS = (
    ("centre", "main_centre_id"),
    ("provider", "provider_id"),
    ("hromada", "hromada_id"),
    ("region", "region_id"),
    ("nation", None),
)
CHANNEL_LEVELS = ("centre", "provider", "region", "nation")


def cube_rollup(period: Period) -> list[tuple[str, object, str | None, tuple[int, ...]]]:
    """Every level's counts (and per channel where sliced) from the period's cube:
    [(level, subject id, channel or None, counts in CASE_COUNTS order)]."""
    if connection.vendor == "postgresql":
        return _rollup_postgres(period)
    return _rollup_python(period)


def _rollup_python(period: Period):
    from yakist.indicators.models import CaseCube

    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CASE_COUNTS))
    rows = CaseCube.objects.filter(period=period.code).values_list(
        "main_centre_id", "provider_id", "hromada_id", "region_id", "channel", *CASE_COUNTS
    )
    for row in rows:
        ids = dict(zip(("centre", "provider", "hromada", "region"), row[:4], strict=True))
        ids["nation"] = ""
        channel, counts = row[4], row[5:]
        for level, ident in ids.items():
            if ident is None:
                continue
            keys = [(level, ident, None)]
            if level in CHANNEL_LEVELS:
                keys.append((level, ident, channel))
            for key in keys:
                bucket = totals[key]
                for index, value in enumerate(counts):
                    bucket[index] += value
    return [(level, ident, channel, tuple(c)) for (level, ident, channel), c in totals.items()]


def _rollup_postgres(period: Period):
    from yakist.indicators.models import CaseCube

    sets = []
    for level, column in ROLLUP_SETS:
        key = [column] if column else []
        sets.append(f"({', '.join(key)})")
        if level in CHANNEL_LEVELS:
            sets.append(f"({', '.join([*key, 'channel'])})")
    columns = [column for _level, column in ROLLUP_SETS if column]
    flags = ", ".join(f"GROUPING({c})" for c in [*columns, "channel"])
    sums = ", ".join(f"SUM({name})" for name in CASE_COUNTS)
    sql = f"""
        SELECT {", ".join(columns)}, channel, {flags}, {sums}
        FROM {CaseCube._meta.db_table} WHERE period = %s
        GROUP BY GROUPING SETS ({", ".join(sets)})
    """  # noqa: S608  (our own column names only)
    result = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.code])
        for row in cursor.fetchall():
            ids, channel = row[: len(columns)], row[len(columns)]
            grouping = row[len(columns) + 1 : 2 * len(columns) + 2]
            counts = tuple(int(v or 0) for v in row[2 * len(columns) + 2 :])
            grouped = [c for c, flag in zip(columns, grouping[:-1], strict=True) if flag == 0]
            sliced = grouping[-1] == 0
            if not grouped:
                level, ident = "nation", ""
            else:
                level = next(lv for lv, col in ROLLUP_SETS if col == grouped[0])
                ident = ids[columns.index(grouped[0])]
                if ident is None:
                    continue  # cases with no centre (or region) are counted at the other levels
            result.append((level, ident, channel if sliced else None, counts))
    return result


LEVEL_COLUMNS = {
    "centre": "main_centre_id",
    "provider": "provider_id",
    "hromada": "hromada_id",
    "region": "region_id",
    "nation": None,
}


@dataclass
class FinishedStats:
    """From the cases finished in a period with a known term: the median and P90 of duration
    against the term per subject, exactly (the full run)."""

    quantiles: dict[tuple[str, object], dict[str, float]]


def finished_stats(period: Period, levels: list[str]) -> FinishedStats:
    if connection.vendor == "postgresql":
        return _finished_postgres(period, levels)
    return _finished_python(period, levels)


FINISHED_COLUMNS = (
    "main_centre_id",
    "provider_id",
    "hromada_id",
    "region_id",
    "service_id",
    "received_at",
    "done_at",
    "due_at",
    "on_time",
)


def _finished(period: Period):
    """The same cases the cube counts as `done_with_term`."""
    return (
        Case.objects.filter(
            sandbox=False,
            done_at__gte=period.start,
            done_at__lt=period.end,
            on_time__isnull=False,
        )
        .exclude(outcome="withdrawn")
        .values_list(*FINISHED_COLUMNS)
    )


def histograms_rebuild(period: Period) -> None:
    """Rewrite the period's duration histograms from the cases the exact path reads."""
    from yakist.indicators import histograms

    finished_cases = _finished(period)
    if connection.vendor == "postgresql":
        sql, params = finished_cases.query.sql_with_params()
        histograms.histograms_rebuild(period.code, sql, list(params))
        return
    counts: dict[tuple[str, str, int], int] = defaultdict(int)
    for centre, provider, hromada, region, _s, received, done, due, _t in finished_cases.iterator(
        chunk_size=10_000
    ):
        bucket = histograms.case_bucket(received, done, due)
        if bucket is None:
            continue
        for level, key in (
            ("centre", centre),
            ("provider", provider),
            ("hromada", hromada),
            ("region", region),
            ("nation", ""),
        ):
            if key is not None:
                counts[(level, str(key), bucket)] += 1
    histograms.histograms_clear(period.code)
    histograms.histograms_write(period.code, [(*key, n) for key, n in counts.items()])


def service_slices_rebuild(period: Period) -> None:
    """Recount the period's per-service slices (finished with a term, on time) by region ×
    service from the cases the exact path reads (the full run; deltas keep them between)."""
    from yakist.indicators.models import ServiceSlice

    ServiceSlice.objects.filter(period=period.code).delete()
    finished_cases = (
        _finished(period)
        .values("region_id", "service_id")
        .annotate(done=Count("pk"), in_time=Count("pk", filter=Q(on_time=True)))
        .order_by()
    )
    ServiceSlice.objects.bulk_create(
        [
            ServiceSlice(
                period=period.code,
                region_id=row["region_id"],
                service_id=row["service_id"],
                done_with_term=row["done"],
                on_time=row["in_time"],
            )
            for row in finished_cases
        ],
        batch_size=5000,
    )


def service_slices(period: Period) -> dict[tuple[str, object, str], tuple[int, int]]:
    """{(level, region code or "", service code): (finished with a term, on time)} for the
    regions and the nation, summed from the period's slices (deltas included)."""
    from yakist.indicators.models import ServiceSlice
    from yakist.registry.models.reference import Service

    rows = (
        ServiceSlice.objects.filter(period=period.code)
        .values_list("region_id", "service_id")
        .annotate(done=Sum("done_with_term"), in_time=Sum("on_time"))
        .order_by()
    )
    codes = dict(Service.objects.values_list("pk", "code"))
    totals: dict[tuple[str, object, str], list[int]] = defaultdict(lambda: [0, 0])
    for region, service_id, done, in_time in rows:
        code = codes.get(service_id)
        if code is None:
            continue
        keys = [("nation", "", code)] + ([("region", region, code)] if region is not None else [])
        for key in keys:
            totals[key][0] += done
            totals[key][1] += in_time
    return {key: (done, in_time) for key, (done, in_time) in totals.items() if done}


def _finished_python(period: Period, levels: list[str]) -> FinishedStats:
    from yakist.indicators.stats import quantile

    ratios: dict[tuple[str, object], list[float]] = defaultdict(list)
    rows = _finished(period)
    for centre, provider, hromada, region, _s, received, done, due, _t in rows.iterator(
        chunk_size=10_000
    ):
        if due is None or due <= received:
            continue
        ids = {
            "centre": centre,
            "provider": provider,
            "hromada": hromada,
            "region": region,
            "nation": "",
        }
        ratio = (done - received).total_seconds() / (due - received).total_seconds()
        for level in levels:
            if ids[level] is not None:
                ratios[(level, ids[level])].append(ratio)
    quantiles = {}
    for key, values in ratios.items():
        values.sort()
        quantiles[key] = {
            "median": quantile(values, 0.5),
            "p90": quantile(values, 0.9),
            "n": len(values),
        }
    return FinishedStats(quantiles)


def _finished_postgres(period: Period, levels: list[str]) -> FinishedStats:
    columns = [LEVEL_COLUMNS[level] for level in levels if LEVEL_COLUMNS[level]]
    sets = [f"({column})" for column in columns] + (["()"] if "nation" in levels else [])
    base_sql, params = _finished(period).query.sql_with_params()
    flags = ", ".join(f"GROUPING({c})" for c in columns)
    sql = f"""
        SELECT {", ".join(columns)}, {flags},
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY ratio),
               count(ratio)
        FROM (
            SELECT main_centre_id, provider_id, hromada_id, region_id,
                   CASE WHEN due_at > received_at
                        THEN EXTRACT(EPOCH FROM (done_at - received_at))
                             / EXTRACT(EPOCH FROM (due_at - received_at)) END AS ratio
            FROM ({base_sql}) finished
        ) f
        GROUP BY GROUPING SETS ({", ".join(sets)})
    """  # noqa: S608  (only our own column names and Django-generated SQL are interpolated)
    quantiles = {}
    width = len(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            ids, grouping = row[:width], row[width : 2 * width]
            median, p90, with_ratio = row[2 * width :]
            grouped = [c for c, flag in zip(columns, grouping, strict=True) if flag == 0]
            if not grouped:
                key = ("nation", "")
            else:
                level = next(lv for lv in levels if LEVEL_COLUMNS[lv] == grouped[0])
                key = (level, ids[columns.index(grouped[0])])
                if key[1] is None:
                    continue
            if with_ratio:
                quantiles[key] = {"median": median, "p90": p90, "n": with_ratio}
    return FinishedStats(quantiles)


def survey_counts(
    period: Period, *, centre_ids: set[int] | None = None, external: bool = True
) -> list[dict]:
    """Survey answers per main centre: satisfaction levels and 0–10 scores, in one query.
    `external=False` leaves out the answers of imported external assessments (they keep their
    source, so the methodology can report them apart)."""
    queryset = survey_responses_for(INTERNAL, period=period)
    if not external:
        queryset = queryset.exclude(source="external")
    if centre_ids is not None:
        queryset = queryset.filter(main_centre_id__in=centre_ids)
    return list(
        queryset.values("main_centre_id").annotate(
            answered=Count("pk", filter=Q(overall__isnull=False)),
            level1=Count("pk", filter=Q(overall=1)),
            level2=Count("pk", filter=Q(overall=2)),
            level3=Count("pk", filter=Q(overall=3)),
            level4=Count("pk", filter=Q(overall=4)),
            overall_sum=Sum("overall"),
            scored=Count("pk", filter=Q(score__isnull=False)),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )
    )


def accepted_report_values(period: Period, codes: list[str] | None = None) -> list[dict]:
    """Accepted quarterly answers for each quarter of the period (statmon's selector)."""
    from yakist.statmon.selectors import accepted_values

    rows = []
    for quarter in period.quarters():
        rows.extend(accepted_values(INTERNAL, period=quarter.code, codes=codes))
    return rows


def connected_centre_ids() -> set[int]:
    """Main centres whose own case system reports to Yakist: named in the scope of an active
    system. A provider's registry with scope "all" reports its own services wherever they were
    applied for; it does not make every centre "connected"."""
    named = registry.centres_in_system_scopes(uploads=False, active_only=True)
    return registry.main_centre_ids(named)


def uploading_centre_ids() -> set[int]:
    """Main centres not connected that send their cases in files (Resolution 864 p.3(1))."""
    named = registry.centres_in_system_scopes(uploads=True, active_only=False)
    return registry.main_centre_ids(named)


def notified_centres() -> dict[int, str]:
    """Main centres whose notice of monitoring with their own tools is recorded: the date of
    the latest notice (ISO), by centre."""
    from yakist.registry.models.reference import MonitoringNotice

    notices = MonitoringNotice.objects.filter(centre__isnull=False).order_by("notified_on")
    return {
        parent or pk: day.isoformat()
        for pk, parent, day in notices.values_list("centre_id", "centre__parent_id", "notified_on")
    }
