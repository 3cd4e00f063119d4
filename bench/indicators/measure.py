"""Child process of bench/indicators: prepares the national data set once, then measures."""

from __future__ import annotations

import datetime as dt
import os
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rich.console import Console  # noqa: E402

from yakist.cases.models import Case  # noqa: E402
from yakist.core.demo import DemoContext  # noqa: E402
from yakist.core.periods import Period  # noqa: E402
from yakist.indicators.methodology import methodology_load  # noqa: E402
from yakist.indicators.services import dirty_mark, indicators_compute, indicators_refresh  # noqa: E402
from yakist.registry.demo import territories, world  # noqa: E402
from yakist.registry.models import Centre  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "5000000"))
YEAR = 2025
QUARTER = Period(YEAR, 2)


def prepare() -> None:
    call_command("migrate", verbosity=0)
    if not Centre.objects.exists():
        context = DemoContext(seed=7, console=Console(quiet=True))
        territories(context)
        world(context)
    methodology_load(path=django.conf.settings.BASE_DIR / "data" / "methodology" / "2025.1.toml")
    have = Case.objects.count()
    if have >= CASES:
        return
    print(f"generating {CASES - have:,} cases with generate_series …", flush=True)
    _generate(CASES - have, offset=have)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Case._meta.db_table}")


def _generate(
    count: int,
    offset: int,
    *,
    region: str | None = None,
    start: str = f"{YEAR}-01-01",
    seconds: int = 31536000,
) -> None:
    """Cases spread over a time window across the active centres (of one region if given),
    set-based in PostgreSQL."""
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_centres, bench_services, bench_units")
        cursor.execute("SELECT min(id) FROM registry_connectedsystem")
        system_id = cursor.fetchone()[0]
        cursor.execute(
            """
            CREATE TEMP TABLE bench_centres AS
            SELECT row_number() OVER (ORDER BY c.id) AS n, c.id, coalesce(c.parent_id, c.id) AS main_id,
                   c.region_id, c.hromada_id
            FROM registry_centre c WHERE c.status = 'active' AND c.region_id LIKE %s
            """,
            [region or "%"],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_services AS "
            "SELECT row_number() OVER (ORDER BY s.id) AS n, s.id FROM registry_service s"
        )
        # A service is provided by one central body's unit in the centre's region, as in life.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_units AS
            SELECT o.id, o.region_id, dense_rank() OVER (ORDER BY o.parent_id) - 1 AS k
            FROM registry_organisation o
            WHERE o.kind = 'provider' AND o.parent_id IS NOT NULL
            """
        )
        cursor.execute("SELECT count(*) FROM bench_centres")
        centres = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM bench_services")
        services = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT k) FROM bench_units")
        providers = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO {table} (system_id, case_id, sandbox, service_id, centre_id, main_centre_id,
                region_id, hromada_id, provider_id, channel, applicant_pseudonym, status, outcome,
                received_at, registered_at, completed_at, done_at, term_value, term_unit, due_at,
                at_risk_from, on_time, days_late, suspended_seconds, rating, rated_at,
                quality_issues, has_quality_issues, event_count, last_event_at, projected_at)
            SELECT %(system)s, 'bench-' || g, false, s.id, c.id, c.main_id, c.region_id, c.hromada_id,
                   p.id,
                   (ARRAY['offline','offline','offline','online','remote_workplace','mobile'])[1 + g %% 6],
                   '', CASE WHEN g %% 40 = 0 THEN 'in_progress' WHEN g %% 11 = 0 THEN 'refused' ELSE 'issued' END,
                   CASE WHEN g %% 40 = 0 THEN '' WHEN g %% 11 = 0 THEN 'refused' ELSE 'issued' END,
                   r.received, r.received, d.done, d.done, 10, 'working_days', r.received + interval '14 days',
                   r.received + interval '12 days', CASE WHEN g %% 40 = 0 THEN NULL ELSE d.done <= r.received + interval '14 days' END,
                   NULL, 0, CASE WHEN g %% 3 = 0 THEN g %% 11 ELSE NULL END,
                   CASE WHEN g %% 3 = 0 THEN d.done ELSE NULL END, '[]', false, 4,
                   coalesce(d.done, r.received), coalesce(d.done, r.received)
            FROM generate_series(%(offset)s::bigint + 1, %(offset)s::bigint + %(count)s) g
            JOIN bench_centres c ON c.n = 1 + (g * 7919) %% %(centres)s
            JOIN bench_services s ON s.n = 1 + (g * 104729) %% %(services)s
            JOIN bench_units p ON p.region_id = c.region_id AND p.k = s.n %% %(providers)s
            CROSS JOIN LATERAL (SELECT %(start)s::timestamptz + interval '6 hours'
                                + ((g * 2654435761) %% %(seconds)s) * interval '1 second' AS received) r
            CROSS JOIN LATERAL (SELECT CASE WHEN g %% 40 = 0 THEN NULL
                                ELSE r.received + ((g %% 23) * interval '1 day') + interval '3 hours' END AS done) d
        """,
            {
                "system": system_id,
                "offset": offset,
                "count": count,
                "centres": centres,
                "services": services,
                "providers": providers,
                "start": start,
                "seconds": seconds,
            },
        )


HAND_SQL = """
WITH done AS (
  SELECT c.*, EXTRACT(EPOCH FROM (c.done_at - c.received_at)) / EXTRACT(EPOCH FROM (c.due_at - c.received_at)) AS ratio
  FROM cases_case c WHERE c.sandbox = false AND c.done_at >= %(s)s AND c.done_at < %(e)s AND c.outcome <> 'withdrawn'
)
SELECT main_centre_id, provider_id, hromada_id, region_id, channel,
       count(*) FILTER (WHERE on_time IS NOT NULL) AS with_term,
       count(*) FILTER (WHERE on_time) AS on_time,
       count(*) FILTER (WHERE outcome = 'refused') AS refused,
       count(*) FILTER (WHERE outcome = 'issued') AS issued,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) FILTER (WHERE on_time IS NOT NULL AND due_at > received_at) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY ratio) FILTER (WHERE on_time IS NOT NULL AND due_at > received_at) AS p90
FROM done
GROUP BY GROUPING SETS ((main_centre_id), (provider_id), (hromada_id), (region_id), (),
                        (main_centre_id, channel), (provider_id, channel), (region_id, channel), (channel))
"""
HAND_SQL_RECEIVED = """
SELECT main_centre_id, provider_id, hromada_id, region_id,
       count(*) AS received, count(*) FILTER (WHERE channel = 'online') AS online,
       count(*) FILTER (WHERE rating IS NOT NULL) AS rated,
       count(*) FILTER (WHERE rating >= 9) AS promoters, count(*) FILTER (WHERE rating <= 6) AS detractors
FROM cases_case WHERE sandbox = false AND received_at >= %(s)s AND received_at < %(e)s
GROUP BY GROUPING SETS ((main_centre_id), (provider_id), (hromada_id), (region_id), ())
"""


def hand_written() -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in (HAND_SQL, HAND_SQL_RECEIVED):
            cursor.execute(sql, {"s": QUARTER.start, "e": QUARTER.end})
            cursor.fetchall()
    return time.perf_counter() - started


def engine() -> float:
    started = time.perf_counter()
    indicators_compute(period=QUARTER)
    return time.perf_counter() - started


def incremental() -> float:
    """≈ 10,000 new events (2,500 cases) of one oblast, marked dirty, then the incremental
    refresh; the new cases are removed afterwards so that runs stay alike."""
    last_id = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    # ≈ 10,000 events (four per case) from the centres of one oblast within the quarter: what
    # an oblast's systems send in a working day.
    _generate(
        2_500,
        offset=Case.objects.count() + 10_000_000,
        region="UA46000000000026241",
        start=QUARTER.first_day.isoformat(),
        seconds=80 * 86400,
    )
    new = Case.objects.filter(id__gt=last_id)
    centre_ids = set(new.values_list("main_centre_id", flat=True))
    provider_ids = set(new.values_list("provider_id", flat=True))
    dirty_mark(period_codes={QUARTER.code}, centre_ids=centre_ids, provider_ids=provider_ids)
    started = time.perf_counter()
    indicators_refresh()
    elapsed = time.perf_counter() - started
    Case.objects.filter(pk__in=list(new.values_list("pk", flat=True))).delete()
    return elapsed


def main() -> None:
    prepare()
    cases = Case.objects.filter(sandbox=False).count()
    hand_written()  # warm the cache for both sides alike
    hand = min(hand_written() for _ in range(2))
    ours = min(engine() for _ in range(2))
    print(f"FIG cases={cases}")
    print(f"FIG period={QUARTER.code}")
    print(f"FIG hand_sql_s={hand:.3f}")
    print(f"FIG engine_s={ours:.3f}")
    print(f"FIG incremental_s={incremental():.3f}")
    print(f"prepared at {dt.datetime.now():%H:%M:%S}")


if __name__ == "__main__":
    main()
