"""Medians and P90s of durations: the database path (PostgreSQL's percentile_cont over grouping
sets) and the Python path give the same figures as an independent reference, on data where no
two values tie, so that any difference in interpolation shows."""

import datetime as dt
import random
from collections import defaultdict

import numpy
import pytest
from django.db import connection

from yakist.cases.models import Case
from yakist.core.periods import Period
from yakist.indicators import inputs

pytestmark = pytest.mark.django_db

LEVELS = ["centre", "provider", "hromada", "region", "nation"]


@pytest.fixture
def untied_period() -> Period:
    """The test world's busiest quarter, with every finished case's end moved by a distinct
    sub-second amount, so no two duration ratios are equal."""
    busiest = (
        Case.objects.filter(sandbox=False, done_at__isnull=False, on_time__isnull=False)
        .values_list("done_at", flat=True)
        .order_by("-done_at")
        .first()
    )
    period = Period.quarter_of(busiest)
    rows = list(
        Case.objects.filter(
            done_at__gte=period.start + dt.timedelta(seconds=1), done_at__lt=period.end
        )
        .only("pk", "done_at")
        .order_by("pk")
    )
    shifts = random.Random(864).sample(range(1, 1_000_000), len(rows))
    for case, shift in zip(rows, shifts, strict=True):
        case.done_at -= dt.timedelta(microseconds=shift)  # stays inside the quarter
    Case.objects.bulk_update(rows, ["done_at"], batch_size=2000)
    return period


def reference(period: Period) -> dict[tuple[str, object], dict[str, float]]:
    """numpy's linear percentile (the definition of percentile_cont) over the same cases."""
    ratios = defaultdict(list)
    for centre, provider, hromada, region, _service, received, done, due, _on in inputs._finished(
        period
    ):
        if due is None or due <= received:
            continue
        ratio = (done - received).total_seconds() / (due - received).total_seconds()
        ids = {"centre": centre, "provider": provider, "hromada": hromada, "region": region}
        ids["nation"] = ""
        for level, ident in ids.items():
            if ident is not None:
                ratios[(level, ident)].append(ratio)
    return {
        key: {
            "median": float(numpy.percentile(values, 50)),
            "p90": float(numpy.percentile(values, 90)),
            "n": len(values),
            "distinct": len(set(values)),
        }
        for key, values in ratios.items()
    }


def assert_same(found, expected):
    assert found.keys() == expected.keys()
    for key, figures in expected.items():
        assert found[key]["n"] == figures["n"], key
        assert found[key]["median"] == pytest.approx(figures["median"], rel=1e-9, abs=1e-12), key
        assert found[key]["p90"] == pytest.approx(figures["p90"], rel=1e-9, abs=1e-12), key


def test_both_quantile_paths_equal_an_independent_percentile_on_untied_data(untied_period):
    expected = reference(untied_period)
    nation = expected[("nation", "")]
    assert nation["n"] >= 50 and nation["distinct"] == nation["n"]  # no ties to hide behind
    # Subjects with an even count interpolate between two values for the median.
    assert any(f["n"] % 2 == 0 and f["n"] > 2 for f in expected.values())

    python_path = inputs._finished_python(untied_period, LEVELS)
    assert_same(python_path.quantiles, expected)
    # On PostgreSQL the engine reads them from percentile_cont; the same figures are required.
    chosen = inputs.finished_stats(untied_period, LEVELS)
    assert_same(chosen.quantiles, expected)
    if connection.vendor == "postgresql":
        sql_path = inputs._finished_postgres(untied_period, LEVELS)
        assert_same(sql_path.quantiles, expected)
