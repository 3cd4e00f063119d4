"""Rank intervals: reproducible, honest about chance, and checked against an independent
computation of the documented rule (bootstrap of the samples, ±50 % weights)."""

from __future__ import annotations

import math
import random

from yakist.indicators import rating


def centre(key: str, share_a: float, n_a: int, share_b: float, n_b: int) -> rating.Scored:
    components = [
        rating.Component(
            indicator="a",
            weight=0.6,
            value=share_a,
            low=None,
            high=None,
            unit="share",
            direction="higher_better",
            status="ok",
            n=n_a,
            numerator=share_a * n_a,
            denominator=n_a,
        ),
        rating.Component(
            indicator="b",
            weight=0.4,
            value=share_b,
            low=None,
            high=None,
            unit="share",
            direction="higher_better",
            status="ok",
            n=n_b,
            numerator=share_b * n_b,
            denominator=n_b,
        ),
    ]
    return rating.score_subject(key, "g", components)


def ranked(entries, seed="s", replicates=rating.REPLICATES):
    rating.rank_group(entries)
    rating.rank_intervals(entries, seed=seed, replicates=replicates)
    return {e.subject_key: e for e in entries}


def independent_interval(subjects, replicates, seed):
    """The rule as written in the methodology, computed the plain way: redraw each share from
    its binomial (exactly, by counting successes), perturb each weight by U(0.5, 1.5), rank."""
    generator = random.Random(seed)
    places = {key: [] for key, *_ in subjects}
    for _ in range(replicates):
        wa, wb = 0.6 * generator.uniform(0.5, 1.5), 0.4 * generator.uniform(0.5, 1.5)
        scores = {}
        for key, pa, na, pb, nb in subjects:
            da = sum(generator.random() < pa for _ in range(na)) / na
            db = sum(generator.random() < pb for _ in range(nb)) / nb
            scores[key] = 100 * (wa * da + wb * db) / (wa + wb)
        for key, score in scores.items():
            places[key].append(1 + sum(1 for s in scores.values() if round(s, 1) > round(score, 1)))
    result = {}
    for key, drawn in places.items():
        drawn.sort()
        low = drawn[math.floor(0.025 * (replicates - 1))]
        high = drawn[math.ceil(0.975 * (replicates - 1))]
        result[key] = (low, high)
    return result


def test_rank_interval_matches_an_independent_computation():
    subjects = [
        ("c1", 0.95, 60, 0.90, 80),
        ("c2", 0.90, 60, 0.92, 80),
        ("c3", 0.80, 60, 0.85, 80),
        ("c4", 0.60, 60, 0.70, 80),
        ("c5", 0.58, 60, 0.72, 80),
        ("c6", 0.30, 60, 0.40, 80),
    ]
    ours = ranked([centre(*s) for s in subjects], seed="compare", replicates=1500)
    theirs = independent_interval(subjects, replicates=1500, seed=7)
    for key, (low, high) in theirs.items():
        assert abs(ours[key].rank_low - low) <= 1, (key, ours[key].rank_low, low)
        assert abs(ours[key].rank_high - high) <= 1, (key, ours[key].rank_high, high)
    # Clearly separated ends are certain; the close pairs overlap.
    assert (ours["c6"].rank_low, ours["c6"].rank_high) == (6, 6)
    assert ours["c4"].rank_low <= 4 <= ours["c4"].rank_high
    assert ours["c5"].rank_low <= 4 and ours["c4"].rank_high >= 5


def test_the_same_inputs_give_the_same_published_interval():
    first = ranked([centre(f"c{i}", 0.5 + i / 20, 40, 0.6, 40) for i in range(5)], seed="x")
    again = ranked([centre(f"c{i}", 0.5 + i / 20, 40, 0.6, 40) for i in range(5)], seed="x")
    assert [(e.rank_low, e.rank_high) for e in first.values()] == [
        (e.rank_low, e.rank_high) for e in again.values()
    ]


def test_a_place_that_could_be_anywhere_is_not_published():
    entries = ranked([centre(f"c{i}", 0.7 + i / 200, 30, 0.7, 30) for i in range(6)])
    assert all(e.status == "uncertain" and e.rank is None for e in entries.values())


def test_indistinguishable_places_are_runs_of_overlapping_intervals():
    entries = list(
        ranked(
            [
                centre("a", 0.99, 5000, 0.99, 5000),
                centre("b", 0.70, 5000, 0.70, 5000),
                centre("c", 0.699, 5000, 0.70, 5000),
                centre("d", 0.30, 5000, 0.30, 5000),
            ]
        ).values()
    )
    assert rating.indistinguishable(entries) == [(2, 3)]


def test_movers_name_the_component_that_moves_the_place_most():
    entries = list(
        ranked([centre("a", 0.9, 100, 0.9, 100), centre("b", 0.8, 100, 0.95, 100)]).values()
    )
    for entry in entries:
        entry.movers = rating.rank_movers(entry, entries)
    b = next(e for e in entries if e.subject_key == "b")
    assert b.movers[0]["indicator"] in {"a", "b"}
    assert b.movers[0]["points_per_place"] is not None
