"""Fair, explainable ratings: pure functions from indicator results to ranks.

Fairness rules (DESIGN §5): like is compared with like (peer groups), nobody is ranked on too
little data (every weighted component must meet its minimum sample), ties share a place,
uncertainty is carried from each component's interval into the score, and every score keeps the
components it was made of.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

POPULATION_BANDS = [  # (upper bound exclusive, group code, label)
    (10_000, "pop-lt-10k", _("до 10 тис. мешканців")),
    (50_000, "pop-10k-50k", _("10–50 тис. мешканців")),
    (100_000, "pop-50k-100k", _("50–100 тис. мешканців")),
    (None, "pop-100k-plus", _("100 тис. мешканців і більше")),
]


def centre_peer_group(population_served: int) -> str:
    """Centres are compared within bands of the population they serve (as Mintsyfra did)."""
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
