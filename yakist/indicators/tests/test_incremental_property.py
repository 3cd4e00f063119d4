"""Property: after any batch of new events, the incremental refresh leaves the figures a full
recomputation of the period gives (on SQLite and on PostgreSQL).

The incremental run keeps the case cube and the duration histograms by the projection's
deltas (yakist.indicators.deltas). Counts, shares, intervals, statuses and ratings must be
equal exactly; medians and P90s of the subjects it recomputes come from the histograms and
must be within half a bucket (plus the stored rounding) of the full run's exact figures.
"""

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from yakist.core.periods import Period
from yakist.indicators.histograms import HALF_BUCKET
from yakist.indicators.models import DirtyPeriod, IndicatorResult, RatingResult
from yakist.indicators.services import indicators_compute, indicators_refresh
from yakist.indicators.tests.test_hand_fixture import Q4, at, build

pytestmark = pytest.mark.django_db
YEAR = Period(2026)

new_case = st.fixed_dictionaries(
    {
        "centre": st.sampled_from("abc"),
        "provider": st.sampled_from(["p", "p_all_promoters", "p_all_detractors"]),
        "channel": st.sampled_from(["offline", "online", "mobile"]),
        "submitted_day": st.integers(1, 20),
        "days_to_complete": st.one_of(st.none(), st.integers(0, 15)),
        "outcome": st.sampled_from(["issued", "refused"]),
        "rating": st.one_of(st.none(), st.integers(0, 10)),
        # Its later events come in a second batch: the projection then changes a stored case,
        # and the deltas must take its old counts out.
        "split": st.booleans(),
    }
)


QUANTILE_TOLERANCE = HALF_BUCKET + 1e-4  # the stored figures are rounded to 4 decimals


def figures() -> dict:
    results, quantiles = {}, {}
    for r in IndicatorResult.objects.filter(period__in=[Q4.code, YEAR.code], is_current=True):
        key = (r.period, r.indicator_code, r.subject_type, r.subject_key, r.breakdown)
        extra = {
            k: v for k, v in r.extra.items() if not k.endswith("_ratio") and k != "quantiles_binned"
        }
        results[key] = (
            r.value,
            r.numerator,
            r.denominator,
            r.n,
            r.ci_low,
            r.ci_high,
            r.status,
            extra,
        )
        quantiles[key] = {k: v for k, v in r.extra.items() if k.endswith("_ratio")}
    ratings = {
        (r.period, r.subject_type, r.subject_key): (r.peer_group, r.score, r.rank, r.status)
        for r in RatingResult.objects.filter(period__in=[Q4.code, YEAR.code], is_current=True)
    }
    return {"results": results, "quantiles": quantiles, "ratings": ratings}


def quantiles_apart(incremental: dict, full: dict) -> list:
    """Medians and P90s further apart than the histograms' bound (or present on one side)."""
    apart = []
    for key in incremental.keys() | full.keys():
        mine, exact = incremental.get(key, {}), full.get(key, {})
        if mine.keys() != exact.keys():
            apart.append((key, mine, exact))
            continue
        apart += [
            (key, name, mine[name], exact[name])
            for name in exact
            if abs(mine[name] - exact[name]) > QUANTILE_TOLERANCE
        ]
    return apart


@pytest.fixture
def computed(client):
    DirtyPeriod.objects.all().delete()  # the test world's first-computation marks
    fixture = build(client)
    indicators_compute(period=Q4)
    indicators_compute(period=YEAR)
    return fixture


@settings(
    max_examples=4,
    deadline=None,
    # Each example runs the methodology twice: shrinking would take minutes, the report names
    # the first differing figures instead.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=st.lists(new_case, min_size=1, max_size=20))
def test_incremental_refresh_equals_a_full_recomputation(computed, cases):
    f = computed
    later = []
    for case in cases:
        own = len(f.events)  # where this case's events start
        submitted = at(case["submitted_day"], 9)
        completed = (
            None
            if case["days_to_complete"] is None
            else submitted + dt.timedelta(days=case["days_to_complete"], hours=3)
        )
        f.case(
            f"PROP-{uuid.uuid4().hex[:12]}",
            getattr(f, case["centre"]),
            getattr(f, case["provider"]),
            channel=case["channel"],
            submitted=submitted,
            completed=completed,
            outcome=case["outcome"],
            rating=case["rating"],
            rated=at(27, 12),
        )
        if case["split"]:  # submitted and registered go with the first batch, the rest later
            later += f.events[own + 2 :]
            del f.events[own + 2 :]
    f.send()
    f.events = later
    f.send()
    assert DirtyPeriod.objects.exists()  # the events marked what they touched
    indicators_refresh()
    incremental = figures()
    indicators_compute(period=Q4)
    indicators_compute(period=YEAR)
    full = figures()
    assert incremental["ratings"] == full["ratings"]
    differing = {
        key: (incremental["results"].get(key), full["results"].get(key))
        for key in incremental["results"].keys() | full["results"].keys()
        if incremental["results"].get(key) != full["results"].get(key)
    }
    assert not differing, (len(differing), sorted(differing.items(), key=str)[:6])
    apart = quantiles_apart(incremental["quantiles"], full["quantiles"])
    assert not apart, apart[:6]
