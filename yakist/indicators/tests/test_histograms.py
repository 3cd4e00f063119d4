"""Duration histograms: the same bucket in Python and in SQL, and quantiles from buckets within
half a bucket of the exact `percentile_cont`."""

from __future__ import annotations

import datetime as dt
import importlib
import math
import random

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from yakist.indicators.histograms import (
    BUCKET_SQL,
    DURATIONS_SQL,
    HALF_BUCKET,
    bucket_of,
    bucket_value,
    case_bucket,
    quantile_from_buckets,
)
from yakist.indicators.stats import quantile

T0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def test_buckets_are_hundredths_of_the_term_below_ten_terms_then_coarser():
    term = 1_000_000
    assert bucket_of(0, term) == 0
    assert bucket_of(term // 2, term) == 50
    assert bucket_of(term - 1, term) == 99
    assert bucket_of(term, term) == 100
    assert bucket_of(10 * term - 1, term) == 999
    assert bucket_of(10 * term, term) == 1000  # 10.0–10.1 terms
    assert bucket_of(100 * term, term) == 1900  # 100–101 terms
    assert bucket_of(-1, term) == -1  # a duration below zero (flagged) floors, too
    assert bucket_value(50) == pytest.approx(0.505)
    assert bucket_value(1000) == pytest.approx(10.05)
    assert bucket_value(1900) == pytest.approx(100.5)


def test_no_term_or_a_term_not_after_receipt_has_no_bucket():
    assert case_bucket(T0, T0 + dt.timedelta(days=1), None) is None
    assert case_bucket(T0, T0 + dt.timedelta(days=1), T0) is None


@settings(max_examples=200, deadline=None)
@given(
    ratios=st.lists(
        st.one_of(st.floats(0, 9.99), st.floats(10, 99), st.floats(100, 300)),
        min_size=1,
        max_size=60,
    ),
    p=st.sampled_from([0.5, 0.9]),
)
def test_a_quantile_from_buckets_is_within_half_a_bucket(ratios, p):
    term = 30 * 86_400 * 1_000_000
    durations = sorted(int(r * term) for r in ratios)
    exact = quantile([d / term for d in durations], p)
    counts: dict[int, int] = {}
    for duration in durations:
        bucket = bucket_of(duration, term)
        counts[bucket] = counts.get(bucket, 0) + 1
    estimate = quantile_from_buckets(sorted(counts.items()), p)
    # The two order statistics it interpolates are each within half their bucket: 0.005 below
    # 10 terms, 0.05 below 100, 0.5 beyond (at most 0.5 % of the larger one's value).
    larger = durations[math.ceil(p * (len(durations) - 1))] / term
    bound = HALF_BUCKET if larger < 10 else 0.05 if larger < 100 else 0.5
    assert abs(estimate - exact) <= bound + 1e-9


def test_an_empty_histogram_has_no_quantile():
    assert quantile_from_buckets([], 0.5) is None
    assert quantile_from_buckets([(10, 0)], 0.5) is None


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL bucket is PostgreSQL's")
def test_postgresql_puts_every_case_in_the_bucket_python_does():
    """Durations near every kind of boundary, microsecond-exact: one bucket both ways."""
    rng = random.Random(864)
    rows = []
    for _ in range(3000):
        term = rng.choice([1, 7, 30, 45]) * 86_400 * 1_000_000 + rng.randint(0, 10**6)
        ratio = rng.choice([rng.uniform(-0.5, 12), rng.uniform(9, 120), 0.29, 0.07, 1.0, 10.0])
        duration = int(ratio * term) + rng.choice([-1, 0, 1])
        rows.append(
            (T0, T0 + dt.timedelta(microseconds=duration), T0 + dt.timedelta(microseconds=term))
        )
    values = ", ".join(["(%s::timestamptz, %s::timestamptz, %s::timestamptz)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {BUCKET_SQL} FROM (SELECT {DURATIONS_SQL} FROM (VALUES {values}) "  # noqa: S608
            "v(received_at, done_at, due_at)) durations",
            [value for row in rows for value in row],
        )
        in_sql = [bucket for (bucket,) in cursor.fetchall()]
    assert in_sql == [case_bucket(*row) for row in rows]


@pytest.mark.django_db
def test_periods_computed_before_the_histograms_get_one_full_run():
    """The migration that brings the histograms marks every computed period for a full run,
    which builds its histograms; until then no refresh of it is incremental."""
    from django.apps import apps

    from yakist.indicators.models import DirtyPeriod, IndicatorResult

    migration = importlib.import_module("yakist.indicators.migrations.0004_duration_histograms")
    computed = set(IndicatorResult.objects.values_list("period", flat=True))
    assert computed, "the test world has computed periods"
    DirtyPeriod.objects.all().delete()
    migration.full_runs_asked(apps, None)
    marks = set(DirtyPeriod.objects.values_list("subject_type", "subject_key", "period"))
    assert marks == {("nation", "", code) for code in computed}
