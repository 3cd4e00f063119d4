"""Child process of bench/indicators: prepares the national data set once, then measures one
quarter from nothing stored, on both sides, and checks that both sides agree.

- The data: 2025Q2 holds QUARTER_CASES cases (5 M at full scale) received in it, the other
  quarters of 2025 a tenth of that each, generated set-based in PostgreSQL. A layout marker
  (table bench_layout) says what was generated; a run with another layout regenerates.
- Each timed run starts with nothing stored for the quarter: the engine skips unchanged
  results and ratings (yakist/indicators/services.py, `_store` and `ratings_compute`), so its
  results (every revision), ratings, cube rows and dirty marks are deleted first and the
  writes happen inside the timer. The hand-written SQL writes its figures too, with one
  INSERT … SELECT into a table `LIKE indicators_indicatorresult INCLUDING ALL`.
- Before any figure is printed, every count, share, interval, median and P90 the engine stored
  is compared with the hand SQL's row for the same subject; a difference fails the run.

Prints `FIG name=value` lines for bench/indicators/run.py.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rich.console import Console  # noqa: E402

from bench import signed  # noqa: E402
from bench.indicators.hand_sql import HAND_SQL, HAND_TABLE  # noqa: E402
from yakist.cases.models import Case  # noqa: E402
from yakist.cases.services import cases_project_pending  # noqa: E402
from yakist.core.periods import Period  # noqa: E402
from yakist.demo.registry import territories, world  # noqa: E402
from yakist.demo.runner import DemoContext  # noqa: E402
from yakist.indicators.histograms import HALF_BUCKET  # noqa: E402
from yakist.indicators.methodology import methodology_load  # noqa: E402
from yakist.indicators.models import (  # noqa: E402
    CaseCube,
    DirtyPeriod,
    DurationHistogram,
    IndicatorResult,
    RatingResult,
    ServiceSlice,
)
from yakist.indicators.selectors import methodology_at  # noqa: E402
from yakist.indicators.services import indicators_compute, indicators_refresh  # noqa: E402
from yakist.registry.models.reference import Centre  # noqa: E402

FULL_QUARTER_CASES = 5_000_000
QUARTER_CASES = int(
    os.environ.get("BENCH_CASES")
    or round(FULL_QUARTER_CASES * float(os.environ.get("BENCH_SCALE", "1") or 1))
)
OTHER_QUARTER_CASES = QUARTER_CASES // 10
ROUNDS = int(os.environ.get("BENCH_INDICATORS_ROUNDS", "2"))
INTAKE_EVENTS = int(os.environ.get("BENCH_INDICATORS_INTAKE_EVENTS", "10000"))
YEAR = 2025
QUARTER = Period(YEAR, 2)
LAYOUT = f"v2 {QUARTER.code}={QUARTER_CASES} other={OTHER_QUARTER_CASES}"
ONE_OBLAST = "UA46000000000026241"  # Lviv oblast
# The indicators computed from cases only, which the hand SQL recomputes.
CASE_INDICATORS = ("timeliness", "refusal_share", "online_share", "loyalty_index")
RELATIVE = 1e-9


def say(text: str) -> None:
    print(text, flush=True)


# --- The data set --------------------------------------------------------------------------------


def prepare() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not Centre.objects.exists():
        context = DemoContext(seed=7, console=Console(quiet=True))
        territories(context)
        world(context)
    methodology_load(path=settings.BASE_DIR / "data" / "methodology" / "2025.1.toml")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_layout (name text PRIMARY KEY, value text)"
        )
        cursor.execute("SELECT value FROM bench_layout WHERE name = 'indicators'")
        found = cursor.fetchone()
    if found and found[0] == LAYOUT:
        say(f"дані вже згенеровано / data set reused ({LAYOUT})")
        return
    say(f"генерую / generating {LAYOUT} (once per machine) …")
    started = time.perf_counter()
    table = Case._meta.db_table
    # One transaction, so that a failed run leaves the table as it was (DDL is transactional in
    # PostgreSQL). A bulk load: the secondary indexes are dropped and built again at the end,
    # and the foreign-key triggers are off (every reference is to an existing row by
    # construction).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("DELETE FROM bench_layout WHERE name = 'indicators'")
        cursor.execute(f"TRUNCATE {table}")
        for model in (IndicatorResult, RatingResult, CaseCube, DirtyPeriod):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        offset = 0
        for quarter in range(1, 5):
            period = Period(YEAR, quarter)
            total = QUARTER_CASES if period == QUARTER else OTHER_QUARTER_CASES
            for part in range(0, total, 1_000_000):
                count = min(1_000_000, total - part)
                _generate(count, offset, start=period.start, end=period.end)
                offset += count
                say(f"  {period.code}: {part + count:,} / {total:,}")
        say(f"  індекси / indexes ({len(indexes)}) …")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("INSERT INTO bench_layout VALUES ('indicators', %s)", [LAYOUT])
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("CHECKPOINT")
    say(f"  готово за / done in {time.perf_counter() - started:.0f} s")


def _sizes(cursor) -> tuple[int, int, int]:
    """How many active centres, services and provider kinds the generator draws from."""
    cursor.execute(
        "SELECT (SELECT count(*) FROM bench_centres), (SELECT count(*) FROM bench_services), "
        "(SELECT count(DISTINCT k) FROM bench_units)"
    )
    return cursor.fetchone()


def _generate(
    count: int,
    offset: int,
    *,
    start: dt.datetime,
    end: dt.datetime,
    region: str | None = None,
) -> None:
    """Cases received at spread moments of [start + 6 h, end − 1 h) at the active centres (of
    one region if given), set-based in PostgreSQL: services spread over the Register, each
    provided by one central body's unit in the centre's region (as in life), channels,
    refusals, late completions, open cases and ratings."""
    table = Case._meta.db_table
    seconds = int((end - start).total_seconds()) - 7 * 3600
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
        cursor.execute(
            """
            CREATE TEMP TABLE bench_units AS
            SELECT o.id, o.region_id, dense_rank() OVER (ORDER BY o.parent_id) - 1 AS k
            FROM registry_organisation o
            WHERE o.kind = 'provider' AND o.parent_id IS NOT NULL
            """
        )
        cursor.execute("ANALYZE bench_centres, bench_services, bench_units")
        centres, services, providers = _sizes(cursor)
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


# --- The two sides -------------------------------------------------------------------------------


def results_clear() -> None:
    """Nothing stored for the quarter: every revision of its results, its ratings, its cube,
    histogram and service-slice rows and dirty marks (what the engine would otherwise find
    unchanged and skip); the tables vacuumed and analysed alike."""
    with connection.cursor() as cursor:
        kept = (
            IndicatorResult,
            RatingResult,
            CaseCube,
            DurationHistogram,
            ServiceSlice,
            DirtyPeriod,
        )
        for model in kept:
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE period = %s",
                [QUARTER.code],
            )
        for model in kept:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def hand_table_reset() -> None:
    result = IndicatorResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {HAND_TABLE}")
        cursor.execute(f"CREATE TABLE {HAND_TABLE} (LIKE {result} INCLUDING ALL)")


def hand_written(methodology_id: int) -> float:
    """The hand SQL from an empty table of the results' shape, committed, timed."""
    hand_table_reset()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            HAND_SQL,
            {
                "s": QUARTER.start,
                "e": QUARTER.end,
                "period": QUARTER.code,
                "methodology": methodology_id,
            },
        )
    return time.perf_counter() - started


def engine() -> tuple[float, str]:
    """`indicators_compute` of the quarter with nothing stored for it, timed; with where the
    time went (the engine's own report)."""
    results_clear()
    started = time.perf_counter()
    report = indicators_compute(period=QUARTER)
    elapsed = time.perf_counter() - started
    cube, compute = report.seconds["cube"], report.seconds["compute"]
    stored = report.seconds["total"] - cube - compute
    return elapsed, (
        f"cube {cube:.2f} s, figures {compute:.2f} s, stored + ratings {stored:.2f} s "
        f"({report.created:,} results, {report.ratings:,} ratings)"
    )


# --- Equality ------------------------------------------------------------------------------------

FIELDS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high", "status", "extra")


def _rows(table: str) -> dict[tuple, dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT indicator_code, subject_type, subject_key, breakdown, {', '.join(FIELDS)} "
            f"FROM {table} WHERE period = %s AND is_current AND indicator_code = ANY(%s)",
            [QUARTER.code, list(CASE_INDICATORS)],
        )
        found = {}
        for row in cursor.fetchall():
            values = dict(zip(FIELDS, row[4:], strict=True))
            if isinstance(values["extra"], str):
                import json

                values["extra"] = json.loads(values["extra"])
            found[row[:4]] = values
    return found


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=RELATIVE, abs_tol=1e-12)


def equality_check() -> tuple[int, int]:
    """Every figure of the hand SQL has the engine's equal, and the engine has no figure with
    data the hand SQL lacks. Medians and P90s are compared as the engine stores them (to four
    decimals, so the hand SQL's are rounded alike). Returns (subjects, figures) compared."""
    hand, ours = _rows(HAND_TABLE), _rows(IndicatorResult._meta.db_table)
    problems = []
    for key, theirs in hand.items():
        mine = ours.get(key)
        if mine is None:
            problems.append(f"{key}: the engine has no row")
            continue
        for name in ("numerator", "denominator", "n", "value", "ci_low", "ci_high"):
            if not _close(theirs[name], mine[name]):
                problems.append(f"{key} {name}: hand {theirs[name]!r} ≠ engine {mine[name]!r}")
        if theirs["status"] != mine["status"]:
            problems.append(f"{key} status: hand {theirs['status']} ≠ engine {mine['status']}")
        for name in ("median_ratio", "p90_ratio"):
            expected = theirs["extra"].get(name)
            expected = round(expected, 4) if expected is not None else None
            if not _close(expected, mine["extra"].get(name)):
                problems.append(
                    f"{key} {name}: hand {expected!r} ≠ engine {mine['extra'].get(name)!r}"
                )
        for name in ("promoters", "detractors", "passives"):
            if name in theirs["extra"] and theirs["extra"][name] != mine["extra"].get(name):
                problems.append(f"{key} {name}: hand {theirs['extra'][name]} ≠ engine")
    extra_rows = [k for k, v in ours.items() if k not in hand and v["n"]]
    problems += [f"{key}: only the engine has figures ({ours[key]['n']})" for key in extra_rows]
    if problems:
        say(f"НЕРІВНІСТЬ / MISMATCH: {len(problems)} differences, e.g.:")
        for line in problems[:15]:
            say(f"  {line}")
        raise SystemExit(3)
    subjects = {(k[1], k[2]) for k in hand}
    return len(subjects), len(hand)


# --- Incremental scenarios -----------------------------------------------------------------------


def incremental_oblast() -> tuple[float, float, int]:
    """≈ 10,000 signed events (cases of five) at the access points of one oblast, with that
    oblast's providers, through the real intake and projection, then the incremental refresh.
    Returns (refresh seconds, intake + projection seconds, centres touched)."""
    from yakist.registry.models.reference import Organisation

    codes = signed.codes()
    codes["centres"] = list(
        Centre.objects.filter(region_id=ONE_OBLAST, code__in=codes["centres"]).values_list(
            "code", flat=True
        )
    )
    codes["providers"] = (
        list(
            Organisation.objects.filter(
                region_id=ONE_OBLAST, code__in=codes["providers"]
            ).values_list("code", flat=True)
        )
        or codes["providers"]
    )
    return _through_intake(codes, seed=41)


def incremental_intake() -> tuple[float, float, int]:
    """INTAKE_EVENTS signed events of cases at random access points across the country; the
    refreshed figures are then checked against a full recomputation (untimed).
    Returns (refresh seconds, intake + projection seconds, centres touched)."""
    return _through_intake(signed.codes(), seed=17, check=True)


def _through_intake(
    codes: dict[str, list[str]], *, seed: int, check: bool = False
) -> tuple[float, float, int]:
    """Events sent through the API (Django's test client: signature, validation, journal,
    insert), projected into cases (`cases_project_pending`: the cube's and histograms' deltas,
    the dirty marks), then the incremental refresh, timed."""
    intake = signed.Intake(f"bench-indicators-{seed}")
    try:
        events = signed.events(
            codes,
            cases=INTAKE_EVENTS // len(signed.LIFE),
            start=QUARTER.start,
            days=80,
            seed=seed,
        )
        DirtyPeriod.objects.filter(period=QUARTER.code).delete()
        started = time.perf_counter()
        accepted = sum(intake.post(body)["accepted"] for body in signed.bodies(events))
        if accepted != len(events):
            raise RuntimeError(f"прийнято {accepted} з {len(events)} подій")
        while cases_project_pending(max_events=5000)[0]:
            pass
        sent = time.perf_counter() - started
        # The projection marks the year too; never computed here, it would be computed whole.
        # The scenario times the quarter's refresh.
        DirtyPeriod.objects.exclude(period=QUARTER.code).delete()
        touched = DirtyPeriod.objects.filter(period=QUARTER.code, subject_type="centre").count()
        started = time.perf_counter()
        indicators_refresh()
        elapsed = time.perf_counter() - started
        if check:
            incremental_check()
        return elapsed, sent, touched
    finally:
        intake.remove()


def incremental_check() -> None:
    """The incremental figures against a full recomputation of the quarter: every count,
    share, interval and status equal; medians and P90s within the histograms' bound (half a
    bucket below 10 terms, and the 4 decimals stored)."""
    table = IndicatorResult._meta.db_table
    incremental = _rows(table)
    indicators_compute(period=QUARTER)
    full = _rows(table)
    problems = []
    for key in incremental.keys() | full.keys():
        mine, exact = incremental.get(key), full.get(key)
        if mine is None or exact is None:
            problems.append(f"{key}: only one side has the figure")
            continue
        for name in ("numerator", "denominator", "n", "value", "ci_low", "ci_high"):
            if not _close(mine[name], exact[name]):
                problems.append(f"{key} {name}: incremental {mine[name]!r} ≠ full {exact[name]!r}")
        for name in ("median_ratio", "p90_ratio"):
            a, b = mine["extra"].get(name), exact["extra"].get(name)
            if (a is None) != (b is None) or (a is not None and abs(a - b) > HALF_BUCKET + 1e-4):
                problems.append(f"{key} {name}: incremental {a!r}, full {b!r}")
    if problems:
        say(f"НЕРІВНІСТЬ / MISMATCH incremental vs full: {len(problems)}, e.g.:")
        for line in problems[:15]:
            say(f"  {line}")
        raise SystemExit(3)
    say(
        f"інкрементний = повний / incremental = full: {len(full):,} figures (counts exact, "
        f"medians and P90s within {HALF_BUCKET} + rounding)"
    )
    say(f"FIG intake_checked={len(full)}")


# --- The run -------------------------------------------------------------------------------------


def main() -> None:
    prepare()
    received = Case.objects.filter(
        sandbox=False, received_at__gte=QUARTER.start, received_at__lt=QUARTER.end
    ).count()
    done = Case.objects.filter(
        sandbox=False, done_at__gte=QUARTER.start, done_at__lt=QUARTER.end
    ).count()
    everything = Case.objects.filter(sandbox=False).count()
    say(
        f"{QUARTER.code}: {received:,} справ подано / cases received, {done:,} завершено / done "
        f"(у базі / in the database {everything:,}); DEBUG={settings.DEBUG}"
    )
    methodology = methodology_at(QUARTER.first_day)
    assert methodology is not None
    results_clear()
    hand_written(methodology.pk)  # warm the cache for both sides alike
    hands, engines = [], []
    for number in range(ROUNDS):
        hands.append(hand_written(methodology.pk))
        seconds, parts = engine()
        engines.append(seconds)
        say(
            f"  раунд / round {number + 1}: hand SQL {hands[-1]:.2f} s, engine {seconds:.2f} s "
            f"({parts})"
        )
    subjects, figures = equality_check()
    say(
        f"рівність перевірено / equality checked: {subjects:,} суб'єктів / subjects, "
        f"{figures:,} показників / figures (counts, shares, intervals; medians and P90s to the "
        "engine's 4 decimals)"
    )
    say(f"FIG cases={received}")
    say(f"FIG done={done}")
    say(f"FIG period={QUARTER.code}")
    say(f"FIG subjects={subjects}")
    say(f"FIG rounds={ROUNDS}")
    say(f"FIG hand_sql_s={min(hands):.3f}")
    say(f"FIG engine_s={min(engines):.3f}")
    if INTAKE_EVENTS:
        # Random centres first, while the cube holds exactly the cases in the table: the
        # scenarios remove their cases afterwards, not their deltas (the next run recounts).
        refresh, sent, touched = incremental_intake()
        say(f"FIG intake_events={INTAKE_EVENTS // len(signed.LIFE) * len(signed.LIFE)}")
        say(f"FIG intake_refresh_s={refresh:.3f}")
        say(f"FIG intake_sent_s={sent:.3f}")
        say(f"FIG intake_centres={touched}")
        refresh, sent, touched = incremental_oblast()
        say(f"FIG incremental_s={refresh:.3f}")
        say(f"FIG oblast_sent_s={sent:.3f}")
        say(f"FIG oblast_centres={touched}")


if __name__ == "__main__":
    main()
