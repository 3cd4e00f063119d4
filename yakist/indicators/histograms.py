"""Duration histograms: the medians and P90s of the incremental path.

Counts add up, quantiles do not: the median of a region is not a sum of its centres' medians.
The full run computes them exactly from every finished case (`percentile_cont`); between full
runs, each level's subjects (main centre, provider, hromada, region, nation) keep a histogram of
their finished cases' duration-to-term ratios, which the projection updates by deltas
(yakist.indicators.deltas) and the incremental run reads for the touched subjects only.

Buckets are exact integer divisions of the durations in microseconds, so PostgreSQL and Python
put a case in the same bucket: width 0.01 of the term below 10 terms, 0.1 from 10 to 100
terms, 1 beyond. A quantile interpolates two order statistics; taken at their buckets'
midpoints, each is off by at most half its bucket, so the quantile is off by at most 0.005 of
the term while both are below 10 terms (0.05 below 100, 0.5 beyond: at most 0.5 % of the larger
value). See docs/methodology.md, "Medians between full runs".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, Sum

MICROSECOND = dt.timedelta(microseconds=1)
LEVEL_IDS = ("centre", "provider", "hromada", "region")  # and "nation", keyed ""
# The largest error of a quantile read from the buckets below 10 terms (half a bucket).
HALF_BUCKET = 0.005


def bucket_of(duration: int, term: int) -> int:
    """The bucket of a duration against a term (both in microseconds, term > 0)."""
    if 100 * duration < 1000 * term:
        return (100 * duration) // term  # floor, also for a (flagged) negative duration
    if duration < 100 * term:
        return 900 + (10 * duration) // term
    return 1800 + duration // term


def bucket_value(bucket: int) -> float:
    """The midpoint of a bucket, as a ratio of duration to term."""
    if bucket < 1000:
        return (bucket + 0.5) / 100
    if bucket < 1900:
        return (bucket - 900 + 0.5) / 10
    return bucket - 1800 + 0.5


def case_bucket(received: dt.datetime, done: dt.datetime, due: dt.datetime | None) -> int | None:
    """A finished case's bucket, or None when it has no positive term (as the exact path)."""
    if due is None or due <= received:
        return None
    return bucket_of((done - received) // MICROSECOND, (due - received) // MICROSECOND)


# The same integer arithmetic in SQL over the microseconds d (duration) and t (term), exact
# in a double below 2^53 µs; PostgreSQL's integer division truncates, so a negative duration is
# divided towards minus infinity by hand.
DURATIONS_SQL = """round(date_part('epoch', done_at - received_at) * 1000000)::bigint AS d,
    round(date_part('epoch', due_at - received_at) * 1000000)::bigint AS t"""
BUCKET_SQL = """CASE
    WHEN d < 0 THEN -((-100 * d + t - 1) / t)
    WHEN 100 * d < 1000 * t THEN (100 * d) / t
    WHEN d < 100 * t THEN 900 + (10 * d) / t
    ELSE 1800 + d / t END"""


def quantile_from_buckets(counts: list[tuple[int, int]], p: float) -> float | None:
    """`percentile_cont(p)` estimated from (bucket, count) pairs sorted by bucket: the two order
    statistics it interpolates are taken at their buckets' midpoints."""
    n = sum(count for _, count in counts)
    if n <= 0:
        return None
    position = p * (n - 1)
    below, above = math.floor(position), math.ceil(position)
    low = high = None
    seen = 0
    for bucket, count in counts:
        if low is None and below < seen + count:
            low = bucket_value(bucket)
        if above < seen + count:
            high = bucket_value(bucket)
            break
        seen += count
    return low + (position - below) * (high - low)


def histogram_quantiles(
    buckets: dict[tuple[str, str], dict[int, int]],
) -> dict[tuple[str, str], dict[str, float]]:
    """{(level, subject): {median, p90, n}} from summed histograms (empty ones left out)."""
    found = {}
    for key, by_bucket in buckets.items():
        counts = sorted((b, c) for b, c in by_bucket.items() if c > 0)
        n = sum(c for _, c in counts)
        if n:
            found[key] = {
                "median": quantile_from_buckets(counts, 0.5),
                "p90": quantile_from_buckets(counts, 0.9),
                "n": n,
            }
    return found


def histograms_read(
    period_code: str, subjects: dict[str, Iterable[str]]
) -> dict[tuple[str, str], dict[int, int]]:
    """The summed histograms of the subjects asked for: {level: subject keys} (as stored:
    ids of main centres and providers as text, codes of hromadas and regions, "" the nation)."""
    from yakist.indicators.models import DurationHistogram

    wanted = Q()
    for level, keys in subjects.items():
        keys = list(keys)
        if keys:
            wanted |= Q(level=level, subject__in=keys)
    if not wanted:
        return {}
    rows = (
        DurationHistogram.objects.filter(wanted, period=period_code)
        .values_list("level", "subject", "bucket")
        .annotate(total=Sum("cases"))
    )
    found: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for level, subject, bucket, total in rows:
        found[(level, subject)][bucket] = total
    return found


def histograms_rebuild(period_code: str, finished_sql: str, params: list) -> None:
    """Rewrite a period's histograms from its finished cases (PostgreSQL, one INSERT …
    SELECT over grouping sets); `finished_sql` selects those cases' columns."""
    from yakist.indicators.models import DurationHistogram

    table = DurationHistogram._meta.db_table
    # Two steps: cases counted by (main centre, provider, hromada, region, bucket) first (one
    # pass, the durations computed once behind the OFFSET 0 fence), then the grouping sets
    # over those few rows: grouping sets straight over millions of cases sort each set apart.
    sql = f"""
        INSERT INTO {table} (period, level, subject, bucket, cases)
        SELECT %s, level, subject, bucket, cases FROM (
            SELECT CASE WHEN GROUPING(main_centre_id) = 0 THEN 'centre'
                        WHEN GROUPING(provider_id) = 0 THEN 'provider'
                        WHEN GROUPING(hromada_id) = 0 THEN 'hromada'
                        WHEN GROUPING(region_id) = 0 THEN 'region' ELSE 'nation' END AS level,
                   CASE WHEN GROUPING(main_centre_id) = 0 THEN main_centre_id::text
                        WHEN GROUPING(provider_id) = 0 THEN provider_id::text
                        WHEN GROUPING(hromada_id) = 0 THEN hromada_id
                        WHEN GROUPING(region_id) = 0 THEN region_id ELSE '' END AS subject,
                   bucket, SUM(n) AS cases
            FROM (
                SELECT main_centre_id, provider_id, hromada_id, region_id,
                       {BUCKET_SQL} AS bucket, count(*) AS n
                FROM (SELECT main_centre_id, provider_id, hromada_id, region_id, {DURATIONS_SQL}
                      FROM ({finished_sql}) finished WHERE due_at > received_at OFFSET 0) cases
                GROUP BY 1, 2, 3, 4, 5
            ) fine
            GROUP BY GROUPING SETS ((main_centre_id, bucket), (provider_id, bucket),
                                    (hromada_id, bucket), (region_id, bucket), (bucket))
        ) grouped WHERE subject IS NOT NULL
    """  # noqa: S608  (our own table and Django-generated SQL; every value is a parameter)
    histograms_clear(period_code)
    with connection.cursor() as cursor:
        cursor.execute(sql, [period_code, *params])


def histograms_clear(period_code: str) -> None:
    from yakist.indicators.models import DurationHistogram

    DurationHistogram.objects.filter(period=period_code).delete()


def histograms_write(period_code: str, rows: Iterable[tuple[str, str, int, int]]) -> None:
    """Append (level, subject, bucket, cases) rows to a period's histograms."""
    from yakist.indicators.models import DurationHistogram

    DurationHistogram.objects.bulk_create(
        [
            DurationHistogram(period=period_code, level=lv, subject=s, bucket=b, cases=c)
            for lv, s, b, c in rows
        ],
        batch_size=5000,
    )
