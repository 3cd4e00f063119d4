"""Fair, explainable ratings: pure functions from indicator results to ranks.

Fairness rules (docs/methodology.md): like is compared with like (peer groups), nobody is ranked
on too little data (every weighted component must meet its minimum sample), ties share a place,
uncertainty is carried from each component's interval into the score, and every score keeps the
components it was made of.
"""

from __future__ import annotations

import bisect
import math
import operator
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from yakist.indicators.stats import quantile

POPULATION_BANDS = [  # (upper bound exclusive, group code, label)
    (10_000, "pop-lt-10k", _("до 10 тис. мешканців")),
    (50_000, "pop-10k-50k", _("10–50 тис. мешканців")),
    (100_000, "pop-50k-100k", _("50–100 тис. мешканців")),
    (None, "pop-100k-plus", _("100 тис. мешканців і більше")),
]


def centre_peer_group(population_served: int) -> str:
    """Centres are compared within bands of the population they serve: model rule
    `rating.peer_bands` of the methodology (Mintsyfra's 2022 rating is known to have used a
    «100 тис. і більше» band; the 10k and 50k bounds are Yakist's choice)."""
    for bound, code, _label in POPULATION_BANDS:
        if bound is None or population_served < bound:
            return code
    return POPULATION_BANDS[-1][1]


def peer_group_order(code: str) -> tuple[int, str]:
    """Population bands smallest first, then every other group by its code."""
    for index, (_bound, group, _label) in enumerate(POPULATION_BANDS):
        if group == code:
            return index, ""
    return len(POPULATION_BANDS), code


def peer_group_label(code: str) -> str:
    for _bound, group, label in POPULATION_BANDS:
        if group == code:
            return str(label)
    return code


@dataclass(frozen=True)
class Component:
    indicator: str
    weight: float
    value: float | None  # in the indicator's own unit
    low: float | None
    high: float | None
    unit: str  # share | index | score | days
    direction: str  # higher_better | lower_better | neutral
    status: str  # ok | insufficient | no_data
    n: int = 0
    numerator: float | None = None
    denominator: float | None = None
    definition_version: int | None = None
    # The result's own details (levels, promoters, medians…): the raw counts behind the value.
    extra: dict = field(default_factory=dict)


def normalise(value: float | None, unit: str, direction: str) -> float | None:
    """Any indicator on a 0–100 scale where 100 is best."""
    if value is None:
        return None
    if unit == "share":
        score = 100.0 * value
    elif unit == "index":  # loyalty index −100…100
        score = (value + 100.0) / 2.0
    else:
        score = value
    score = min(100.0, max(0.0, score))
    return 100.0 - score if direction == "lower_better" else score


@dataclass
class Scored:
    subject_key: str
    peer_group: str
    status: str
    score: float | None = None
    low: float | None = None
    high: float | None = None
    components: list[dict] = field(default_factory=list)
    rank: int | None = None
    rank_of: int = 0
    movement: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    movers: list[dict] = field(default_factory=list)


def score_subject(subject_key: str, peer_group: str, components: Iterable[Component]) -> Scored:
    """Weighted score 0–100 with its interval; insufficient if any component lacks data."""
    parts = []
    complete = True
    total = low_total = high_total = 0.0
    for c in components:
        value = normalise(c.value, c.unit, c.direction)
        bounds = sorted(
            b
            for b in (normalise(c.low, c.unit, c.direction), normalise(c.high, c.unit, c.direction))
            if b is not None
        )
        ok = c.status == "ok" and value is not None
        complete &= ok
        contribution = c.weight * value if ok else None
        if ok:
            total += contribution
            low_total += c.weight * (bounds[0] if bounds else value)
            high_total += c.weight * (bounds[-1] if bounds else value)
        parts.append(
            {
                "indicator": c.indicator,
                "weight": c.weight,
                "value": c.value,
                "normalised": value,
                "contribution": contribution,
                "status": c.status,
                "n": c.n,
                "numerator": c.numerator,
                "denominator": c.denominator,
                "low": c.low,
                "high": c.high,
                "definition_version": c.definition_version,
                "extra": c.extra,
                "unit": c.unit,
                "direction": c.direction,
            }
        )
    if not complete:
        return Scored(subject_key, peer_group, status="insufficient", components=parts)
    return Scored(
        subject_key,
        peer_group,
        status="ok",
        score=round(total, 2),
        low=round(low_total, 2),
        high=round(high_total, 2),
        components=parts,
    )


def rank_group(entries: list[Scored]) -> list[Scored]:
    """Standard competition ranking ("1, 2, 2, 4") within one peer group, by score to 0.1.

    Scores are compared after rounding to one decimal so that differences smaller than what
    is shown do not decide a place (and a bonus).
    """
    ranked = sorted((e for e in entries if e.status == "ok"), key=lambda e: -round(e.score, 1))
    previous_score, previous_rank = None, 0
    for position, entry in enumerate(ranked, start=1):
        shown = round(entry.score, 1)
        entry.rank = previous_rank if shown == previous_score else position
        previous_score, previous_rank = shown, entry.rank
        entry.rank_of = len(ranked)
    for entry in entries:
        if entry.status != "ok":
            entry.rank, entry.rank_of = None, len(ranked)
    return entries


def movement(current_rank: int | None, previous_rank: int | None) -> int | None:
    """Places gained since the previous period (positive = moved up)."""
    if current_rank is None or previous_rank is None:
        return None
    return previous_rank - current_rank


# --- Rank intervals ----------------------------------------------------------------------------
# A model rule of the methodology (rule `rating.rank_interval`): each replicate redraws every
# component from its sampling distribution at the subject's own n (a share from its binomial,
# the loyalty index from its multinomial of promoters / passives / detractors — both by their
# normal approximation from the subject-level counts, so their weighted sum is one normal draw
# per subject), multiplies every weight
# by a factor drawn uniformly from 0.5–1.5 and renormalises, and ranks the group again. The
# interval is the 2.5th–97.5th percentile of the places. The generator is seeded from the
# methodology, period and group, so a published interval is reproducible.

REPLICATES = 200
WEIGHT_SPREAD = 0.5
RANK_QUANTILES = (0.025, 0.975)


def _component_spread(part: dict) -> tuple[float, float]:
    """(normalised value, its standard error on the 0–100 scale) from subject-level counts."""
    value = part["normalised"]
    n = part.get("denominator") or part.get("n") or 0
    raw = part["value"]
    unit = part.get("unit", "share")
    sign = -1.0 if part.get("direction") == "lower_better" else 1.0
    if not n or raw is None:
        return value, 0.0
    if unit == "share":
        p = min(1.0, max(0.0, float(raw)))
        return value, sign * 100.0 * math.sqrt(p * (1 - p) / n)
    if unit == "index":
        extra = part.get("extra") or {}
        total = n or 1
        promoters = extra.get("promoters", 0) / total
        detractors = extra.get("detractors", 0) / total
        mean = promoters - detractors
        variance = max(0.0, promoters + detractors - mean * mean)
        # Index −100…100 maps to 0–100 by (x + 100) / 2: the standard error halves.
        return value, sign * 50.0 * math.sqrt(variance / total)
    return value, 0.0


def _competition_ranks(scores: list[float]) -> list[int]:
    """1, 2, 2, 4 by score rounded to 0.1 (the rule `rating.ties`)."""
    shown = [round(score, 1) for score in scores]
    order = sorted(range(len(shown)), key=shown.__getitem__, reverse=True)
    ranks = [0] * len(shown)
    previous, previous_rank = None, 0
    for position, i in enumerate(order, start=1):
        if shown[i] != previous:
            previous, previous_rank = shown[i], position
        ranks[i] = previous_rank
    return ranks


def rank_intervals(entries: list[Scored], *, seed: str, replicates: int = REPLICATES) -> None:
    """Set `rank_low`/`rank_high` (best/worst plausible place) on every ranked entry of a group,
    and withhold the place of any whose interval spans more than half the group."""
    ranked = sorted((e for e in entries if e.status == "ok"), key=lambda e: e.subject_key)
    if not ranked:
        return
    base_weights = [part["weight"] for part in ranked[0].components]
    # Per subject: normalised values and their variances. Independent normal draws of the
    # components add up to one normal draw of the weighted score, so each replicate costs one
    # draw per subject (not per subject and component) — what keeps a national group fast.
    values, variances = [], []
    for e in ranked:
        spreads = [_component_spread(part) for part in e.components]
        values.append([value for value, _error in spreads])
        variances.append([error * error for _value, error in spreads])
    generator = random.Random(seed)
    gauss = generator.gauss
    replicate_ranks: list[list[int]] = []
    for _replicate in range(replicates):
        factors = [
            w * generator.uniform(1 - WEIGHT_SPREAD, 1 + WEIGHT_SPREAD) for w in base_weights
        ]
        total = sum(factors)
        weights = [f / total for f in factors]
        squares = [w * w for w in weights]
        scores = [
            min(
                100.0,
                max(
                    0.0,
                    sum(map(operator.mul, weights, value))
                    + math.sqrt(sum(map(operator.mul, squares, variance))) * gauss(0.0, 1.0),
                ),
            )
            for value, variance in zip(values, variances, strict=True)
        ]
        replicate_ranks.append(_competition_ranks(scores))
    places = [sorted(column) for column in zip(*replicate_ranks, strict=True)]
    size = len(ranked)
    for entry, drawn in zip(ranked, places, strict=True):
        entry.rank_low = round(quantile(drawn, RANK_QUANTILES[0]))
        entry.rank_high = round(quantile(drawn, RANK_QUANTILES[1]))
        # The shown place always lies inside its own interval.
        entry.rank_low = min(entry.rank_low, entry.rank)
        entry.rank_high = max(entry.rank_high, entry.rank)
        if entry.rank_high - entry.rank_low > size / 2:
            # Rule `rating.publish_threshold`: «недостатньо даних для рейтингу».
            entry.status = "uncertain"
            entry.rank = None


def indistinguishable(entries: list[Scored]) -> list[tuple[int, int]]:
    """Runs of places whose rank intervals overlap: (first place, last place), longer than one."""
    ranked = sorted(
        (e for e in entries if e.rank is not None and e.rank_low is not None),
        key=lambda e: e.rank,
    )
    runs: list[tuple[int, int]] = []
    start = reach = last = None
    for entry in ranked:
        if start is None or entry.rank_low > reach:
            if start is not None and last > start:
                runs.append((start, last))
            start, reach = entry.rank, entry.rank_high
        else:
            reach = max(reach, entry.rank_high)
        last = entry.rank
    if start is not None and last > start:
        runs.append((start, last))
    return runs


def rank_movers(
    entry: Scored, peers: list[Scored], ordered: list[float] | None = None
) -> list[dict]:
    """What would move this subject's place most: for each component, the place if that
    component were at the favourable / unfavourable end of its 95 % interval (others as they
    are), and the normalised points it would need to gain one place.

    `ordered` — the group's scores rounded to 0.1, ascending (computed once per group, so a
    group of thousands costs a bisect per subject, not a pass over the group)."""
    if entry.score is None:
        return []
    if ordered is None:
        ordered = sorted(round(p.score, 1) for p in peers if p.score is not None)
    own = round(entry.score, 1)

    def place(score: float) -> int:
        shown = round(score, 1)
        higher = len(ordered) - bisect.bisect_right(ordered, shown)
        if own > shown:
            higher -= 1  # the subject itself, at its actual score, is not its own rival
        return 1 + higher

    above = bisect.bisect_right(ordered, own)
    gap = round(ordered[above] - entry.score + 0.05, 2) if above < len(ordered) else None
    movers = []
    for part in entry.components:
        if part["normalised"] is None:
            continue
        bounds = [
            normalise(b, part.get("unit", "share"), part.get("direction", "higher_better"))
            for b in (part.get("low"), part.get("high"))
        ]
        bounds = sorted(b for b in bounds if b is not None)
        up = entry.score + part["weight"] * ((bounds[-1] if bounds else 100.0) - part["normalised"])
        down = entry.score + part["weight"] * ((bounds[0] if bounds else 0.0) - part["normalised"])
        movers.append(
            {
                "indicator": part["indicator"],
                "place_if_high": place(up),
                "place_if_low": place(down),
                "points_per_place": round(gap / part["weight"], 2) if gap else None,
                "swing": place(down) - place(up),
            }
        )
    movers.sort(key=lambda m: (-m["swing"], m["indicator"]))
    return movers
