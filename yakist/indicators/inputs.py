"""Set-based reads of the methodology's inputs: one aggregate query per source and period.

Counts are taken once at a fine grain (main centre × provider × channel × service) and rolled
up in memory, because counts add up; percentiles do not, so they are computed per level in the
database where it can (PostgreSQL's percentile_cont over grouping sets), else exactly in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, Sum

from yakist.accounts.scope import Scope
from yakist.cases.models import Case
from yakist.core.periods import Period
from yakist.feedback.models import SurveyResponse
from yakist.registry.models import Centre, ConnectedSystem, Organisation, Service

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
    from yakist.registry.models import Territory

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


def cube_rebuild(
    period: Period, *, centre_ids: set[int] | None = None, provider_ids: set[int] | None = None
) -> int:
    """(Re)count the case cube of a period in the database, in one INSERT … SELECT.

    With `centre_ids`/`provider_ids`, only the rows of those subjects are recounted (an
    incremental update costs the cases of the touched subjects, not the whole period).
    """
    from yakist.indicators.models import CaseCube

    cube, cases = CaseCube._meta.db_table, Case._meta.db_table
    services = Service._meta.db_table
    subset_sql, subset_params = "", []
    deleted = CaseCube.objects.filter(period=period.code)
    if centre_ids is not None or provider_ids is not None:
        centres_in, providers_in = sorted(centre_ids or {-1}), sorted(provider_ids or {-1})
        subset_sql = (
            f" AND (c.main_centre_id IN ({', '.join(['%s'] * len(centres_in))})"
            f" OR c.provider_id IN ({', '.join(['%s'] * len(providers_in))}))"
        )
        subset_params = [*centres_in, *providers_in]
        deleted = deleted.filter(Q(main_centre_id__in=centres_in) | Q(provider_id__in=providers_in))
    deleted.delete()
    start, end = period.start, period.end
    received = "c.received_at >= %s AND c.received_at < %s"
    done = "c.done_at >= %s AND c.done_at < %s AND c.outcome <> 'withdrawn'"
    rated = "c.rated_at >= %s AND c.rated_at < %s AND c.rating IS NOT NULL"
    sql = f"""
        INSERT INTO {cube} (period, main_centre_id, provider_id, region_id, hromada_id, channel,
            service_code, received, online, done_with_term, on_time, refused, issued, rated,
            promoters, detractors)
        SELECT %s, c.main_centre_id, c.provider_id, c.region_id, c.hromada_id, c.channel, s.code,
            SUM(CASE WHEN {received} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {received} AND c.channel = 'online' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.on_time IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.on_time = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.outcome = 'refused' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {done} AND c.outcome = 'issued' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {rated} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {rated} AND c.rating >= 9 THEN 1 ELSE 0 END),
            SUM(CASE WHEN {rated} AND c.rating <= 6 THEN 1 ELSE 0 END)
        FROM {cases} c JOIN {services} s ON s.id = c.service_id
        WHERE c.sandbox = %s
          AND ((c.received_at >= %s AND c.received_at < %s) OR (c.done_at >= %s AND c.done_at < %s)
               OR (c.rated_at >= %s AND c.rated_at < %s)){subset_sql}
        GROUP BY c.main_centre_id, c.provider_id, c.region_id, c.hromada_id, c.channel, s.code
    """  # noqa: S608  (table names come from our models; every value is a parameter)
    window = [start, end]
    params = [
        period.code,
        *window * 4,  # received ×2, done (with a term), done (on time) …
        True,  # … on_time = true
        *window * 5,  # … refused, issued, rated ×3
        False,  # sandbox = false
        *window * 3,  # the WHERE clause
        *subset_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def cube_rows(period: Period) -> list[tuple]:
    from yakist.indicators.models import CaseCube

    return list(
        CaseCube.objects.filter(period=period.code).values_list(
            "main_centre_id",
            "provider_id",
            "region_id",
            "hromada_id",
            "channel",
            "service_code",
            *CASE_COUNTS,
        )
    )


LEVEL_COLUMNS = {
    "centre": "main_centre_id",
    "provider": "provider_id",
    "hromada": "hromada_id",
    "region": "region_id",
    "nation": None,
}


def time_ratio_quantiles(
    period: Period,
    levels: list[str],
    *,
    centre_ids: set[int] | None = None,
    provider_ids: set[int] | None = None,
) -> dict[tuple[str, object], dict[str, float]]:
    """Median and P90 of (done − received) / (due − received) for finished cases with a term,
    per subject of each level: {(level, subject id): {"median": …, "p90": …, "n": …}}."""
    if connection.vendor == "postgresql":
        return _quantiles_postgres(period, levels, centre_ids, provider_ids)
    return _quantiles_python(period, levels, centre_ids, provider_ids)


def _finished_with_term(period: Period, centre_ids, provider_ids):
    queryset = (
        Case.objects.filter(
            sandbox=False,
            done_at__gte=period.start,
            done_at__lt=period.end,
            due_at__isnull=False,
            on_time__isnull=False,
        )
        .exclude(outcome="withdrawn")
        .filter(due_at__gt=F("received_at"))
    )
    if centre_ids is not None or provider_ids is not None:
        queryset = queryset.filter(
            Q(main_centre_id__in=centre_ids or []) | Q(provider_id__in=provider_ids or [])
        )
    return queryset


def _quantiles_python(period, levels, centre_ids, provider_ids):
    from yakist.indicators.stats import quantile

    rows = _finished_with_term(period, centre_ids, provider_ids).values_list(
        "main_centre_id",
        "provider_id",
        "hromada_id",
        "region_id",
        "received_at",
        "done_at",
        "due_at",
    )
    buckets: dict[tuple[str, object], list[float]] = defaultdict(list)
    for centre, provider, hromada, region, received, done, due in rows.iterator(chunk_size=10_000):
        ratio = (done - received).total_seconds() / (due - received).total_seconds()
        ids = {
            "centre": centre,
            "provider": provider,
            "hromada": hromada,
            "region": region,
            "nation": "",
        }
        for level in levels:
            buckets[(level, ids[level])].append(ratio)
    result = {}
    for key, values in buckets.items():
        values.sort()
        result[key] = {
            "median": quantile(values, 0.5),
            "p90": quantile(values, 0.9),
            "n": len(values),
        }
    return result


def _quantiles_postgres(period, levels, centre_ids, provider_ids):
    columns = [LEVEL_COLUMNS[level] for level in levels if LEVEL_COLUMNS[level]]
    sets = ", ".join(f"({column})" for column in columns) + (", ()" if "nation" in levels else "")
    base_sql, params = (
        _finished_with_term(period, centre_ids, provider_ids)
        .values(
            "main_centre_id",
            "provider_id",
            "hromada_id",
            "region_id",
            "received_at",
            "done_at",
            "due_at",
        )
        .query.sql_with_params()
    )
    grouping = ", ".join(f"GROUPING({column})" for column in columns) or "0"
    sql = f"""
        SELECT {", ".join(columns)}, ARRAY[{grouping}],
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY ratio),
               count(*)
        FROM (
            SELECT *, EXTRACT(EPOCH FROM (done_at - received_at))
                      / EXTRACT(EPOCH FROM (due_at - received_at)) AS ratio
            FROM ({base_sql}) finished
        ) f
        GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608  (only our own column names and Django-generated SQL are interpolated)
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            ids, flags, median, p90, n = (
                row[: len(columns)],
                row[len(columns)],
                *row[len(columns) + 1 :],
            )
            grouped = [column for column, flag in zip(columns, flags, strict=True) if flag == 0]
            if not grouped:
                key = ("nation", "")
            else:
                level = next(level for level in levels if LEVEL_COLUMNS[level] == grouped[0])
                key = (level, ids[columns.index(grouped[0])])
            result[key] = {"median": median, "p90": p90, "n": n}
    return result


def survey_counts(period: Period, *, centre_ids: set[int] | None = None) -> list[dict]:
    """Survey answers per main centre: satisfaction levels and 0–10 scores, in one query."""
    queryset = SurveyResponse.objects.filter(
        submitted_at__gte=period.start, submitted_at__lt=period.end
    )
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
    active = ConnectedSystem.objects.filter(status=ConnectedSystem.State.ACTIVE)
    ids = set(active.values_list("scope_centres__id", flat=True)) - {None}
    parents = dict(Centre.objects.filter(pk__in=ids).values_list("pk", "parent_id"))
    return {parent or pk for pk, parent in parents.items()}
