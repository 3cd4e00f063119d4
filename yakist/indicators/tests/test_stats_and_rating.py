"""Exact statistics and the fairness rules of ratings (pure functions)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yakist.indicators.rating import (
    Component,
    centre_peer_group,
    movement,
    normalise,
    peer_group_order,
    rank_group,
    score_subject,
)
from yakist.indicators.stats import loyalty_index, loyalty_interval, quantile, wilson_interval
from yakist.indicators.templatetags.indicator_format import share_percent


def test_loyalty_index_edges():
    assert loyalty_index(10, 0, 10) == 100.0  # all promoters
    assert loyalty_index(0, 10, 10) == -100.0  # all detractors
    assert loyalty_index(0, 0, 10) == 0.0  # all passives (7–8)
    assert loyalty_index(3, 1, 8) == 25.0
    assert loyalty_index(0, 0, 0) is None


def test_wilson_interval_known_value_and_edges():
    low, high = wilson_interval(8, 10)
    assert math.isclose(low, 0.4902, abs_tol=1e-4) and math.isclose(high, 0.9433, abs_tol=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0  # never below zero
    assert wilson_interval(10, 10)[1] == 1.0  # never above one
    assert wilson_interval(0, 0) is None


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_wilson_interval_contains_the_observed_share(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n + 1e-12 and k / n - 1e-12 <= high <= 1.0


def test_loyalty_interval_is_inside_the_scale():
    low, high = loyalty_interval(30, 0, 30)
    assert 75.0 < low < high <= 100.0  # certain-looking, but a sample of 30 is not certainty
    low, high = loyalty_interval(0, 30, 30)
    assert -100.0 <= low < high < -75.0
    low, high = loyalty_interval(600, 100, 1000)
    assert low < 50.0 < high and high - low < 9


def test_quantile_matches_percentile_cont():
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    assert quantile([7], 0.9) == 7.0
    assert quantile([], 0.5) is None


def test_normalise_puts_every_unit_on_0_100_best_high():
    assert normalise(0.9, "share", "higher_better") == 90.0
    assert normalise(-100.0, "index", "higher_better") == 0.0
    assert normalise(100.0, "index", "higher_better") == 100.0
    assert normalise(0.2, "share", "lower_better") == 80.0


def comp(indicator, weight, value, status="ok", low=None, high=None, unit="share"):
    return Component(indicator, weight, value, low, high, unit, "higher_better", status, n=100)


def test_score_is_the_weighted_sum_with_an_interval():
    scored = score_subject(
        "C1",
        "g",
        [
            comp("timeliness", 0.5, 0.9, low=0.85, high=0.94),
            comp("loyalty_index", 0.5, 60.0, low=50.0, high=70.0, unit="index"),
        ],
    )
    assert scored.status == "ok"
    assert scored.score == pytest.approx(0.5 * 90 + 0.5 * 80)
    assert scored.low == pytest.approx(0.5 * 85 + 0.5 * 75)
    assert scored.high == pytest.approx(0.5 * 94 + 0.5 * 85)
    assert [c["indicator"] for c in scored.components] == ["timeliness", "loyalty_index"]


def test_a_component_below_minimum_sample_means_no_rank():
    scored = score_subject(
        "C2",
        "g",
        [comp("timeliness", 0.5, 0.9), comp("satisfaction", 0.5, None, status="insufficient")],
    )
    assert scored.status == "insufficient" and scored.score is None


def test_ties_share_a_place_and_the_insufficient_are_not_ranked():
    entries = [
        score_subject("A", "g", [comp("t", 1.0, 0.91)]),
        score_subject("B", "g", [comp("t", 1.0, 0.95)]),
        score_subject("C", "g", [comp("t", 1.0, 0.9101)]),  # 91.0 when shown: ties with A
        score_subject("D", "g", [comp("t", 1.0, None, status="insufficient")]),
    ]
    ranks = {e.subject_key: e.rank for e in rank_group(entries)}
    assert ranks == {"B": 1, "A": 2, "C": 2, "D": None}
    assert {e.rank_of for e in entries} == {3}


def test_peer_groups_and_movement():
    assert centre_peer_group(9_999) == "pop-lt-10k"
    assert centre_peer_group(10_000) == "pop-10k-50k"
    assert centre_peer_group(250_000) == "pop-100k-plus"
    assert movement(3, 5) == 2 and movement(5, 3) == -2 and movement(None, 3) is None


def test_peer_groups_are_listed_smallest_band_first():
    codes = ["provider-X", "pop-100k-plus", "pop-10k-50k", "pop-lt-10k", "pop-50k-100k"]
    assert sorted(codes, key=peer_group_order) == [
        "pop-lt-10k",
        "pop-10k-50k",
        "pop-50k-100k",
        "pop-100k-plus",
        "provider-X",
    ]


def test_bars_scale_an_index_as_an_index_and_a_share_as_a_share():
    assert share_percent(0.5, "index") == pytest.approx(50.25)  # +0,5 of −100…100
    assert share_percent(0.5, "share") == 50.0
    assert share_percent(-100.0, "index") == 0.0
    assert share_percent(None, "share") == 0
