"""Property: after any batch of new events, the incremental refresh leaves exactly the figures a
full recomputation of the period gives (on SQLite and on PostgreSQL).

The documented differences (see `engine.finished`): medians and P90s of aggregate levels
(hromada, region, nation) and their per-service slices need every finished case of the period,
so an incremental run keeps the last full run's (the medians marked `quantiles_from_full_run`)
and the next full run refreshes them. Those are left out of the comparison; everything else —
every centre's and provider's figure, every channel slice, every aggregate count, every rating —
is compared exactly.
"""

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from yakist.core.periods import Period
from yakist.indicators.engine import AGGREGATE_LEVELS
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
    }
)


def figures() -> dict:
    def comparable_extra(subject_type: str, extra: dict) -> dict:
        if subject_type not in AGGREGATE_LEVELS:
            return extra
        return {
            k: v
            for k, v in extra.items()
            if not k.endswith("_ratio") and k != "quantiles_from_full_run"
        }

    def kept_from_full_run(subject_type: str, breakdown: str) -> bool:
        return subject_type in AGGREGATE_LEVELS and breakdown.startswith("service:")

    results = {
        (r.period, r.indicator_code, r.subject_type, r.subject_key, r.breakdown): (
            r.value,
            r.numerator,
            r.denominator,
            r.n,
            r.ci_low,
            r.ci_high,
            r.status,
            comparable_extra(r.subject_type, r.extra),
        )
        for r in IndicatorResult.objects.filter(period__in=[Q4.code, YEAR.code], is_current=True)
        if not kept_from_full_run(r.subject_type, r.breakdown)
    }
    ratings = {
        (r.period, r.subject_type, r.subject_key): (r.peer_group, r.score, r.rank, r.status)
        for r in RatingResult.objects.filter(period__in=[Q4.code, YEAR.code], is_current=True)
    }
    return {"results": results, "ratings": ratings}


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
    for case in cases:
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
