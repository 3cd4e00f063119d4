"""Rating a computed period: its current results are scored and ranked with the pure rules of
yakist.indicators.rating, and stored as RatingResult rows by revision (a recomputation with
the same inputs leaves the shown row as it was)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import NamedTuple

from django.utils import timezone

from yakist.core.db import instances_insert
from yakist.core.periods import Period
from yakist.indicators import rating
from yakist.indicators.enums import SubjectType
from yakist.indicators.models import (
    IndicatorDefinition,
    IndicatorResult,
    MethodologyVersion,
    RatingResult,
)
from yakist.indicators.results_store import chunks

Groups = dict[tuple[str, str], list[rating.Scored]]  # (subject type, peer group) -> scored


def ratings_compute(*, period: Period, methodology: MethodologyVersion) -> int:
    """Rank centres and providers of a period from its current results."""
    groups = _scored_groups(period, methodology)
    previous = _previous_places(period)
    current = {
        (r.subject_type, r.subject_key): r
        for r in RatingResult.objects.filter(period=period.code, is_current=True)
    }
    now = timezone.now()
    to_create, to_replace, to_retire = [], [], []
    for (subject_type, group), entries in groups.items():
        _rank(entries, seed=f"{methodology.code}|{period.code}|{subject_type}|{group}")
        for entry in entries:
            entry.movement = _movement(
                entry.rank, entry.peer_group, previous.get((subject_type, entry.subject_key))
            )
            existing = current.get((subject_type, entry.subject_key))
            revision = 1
            if existing is not None and existing.methodology_id == methodology.pk:
                if _same_rating(existing, entry):
                    continue  # recomputing with the same inputs leaves the shown row as it was
                to_replace.append(existing.pk)
                revision = existing.revision
            elif existing is not None:
                to_retire.append(existing.pk)
                revision = existing.revision + 1
            to_create.append(
                _rating_row(methodology, period, subject_type, entry, revision=revision, now=now)
            )
    for chunk in chunks(to_replace, 5000):
        RatingResult.objects.filter(pk__in=chunk).delete()
    for chunk in chunks(to_retire, 5000):
        RatingResult.objects.filter(pk__in=chunk).update(is_current=False)
    instances_insert(RatingResult, to_create)
    _movement_fill(period.next())
    return len(to_create)


def _scored_groups(period: Period, methodology: MethodologyVersion) -> Groups:
    """Every rated subject scored from its weighted components, by peer group."""
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    weight_bases: dict[tuple[str, str], dict] = {}
    for weight in methodology.weights.all():
        weights[weight.subject_type][weight.indicator_code] = float(weight.weight)
        weight_bases[(weight.subject_type, weight.indicator_code)] = weight.basis
    definitions = {d.code: d for d in methodology.definitions.all()}
    wanted = {code for per_type in weights.values() for code in per_type}
    results = _current_results(period, wanted)
    groups: Groups = defaultdict(list)
    for subject_type, key, group in _rated_subjects():
        found = results.get((subject_type, key), {})
        components = [
            _component(code, weight, found.get(code), definitions[code])
            for code, weight in weights.get(subject_type, {}).items()
        ]
        if components:
            scored = rating.score_subject(key, group, components)
            for part in scored.components:
                # Each published weight names its basis (act | draft | model).
                part["basis"] = weight_bases.get((subject_type, part["indicator"]), {})
            groups[(subject_type, group)].append(scored)
    return groups


class RatedFigure(NamedTuple):
    """What a rating reads of one current result (no model instance: a national period has
    tens of thousands, and building them was most of the ratings' time)."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    status: str
    n: int
    numerator: float | None
    denominator: float | None
    definition_version: int
    extra: dict


def _current_results(
    period: Period, wanted: set[str]
) -> dict[tuple[str, str], dict[str, RatedFigure]]:
    """(subject type, key) -> indicator code -> its current whole-subject figure."""
    results: dict[tuple[str, str], dict[str, RatedFigure]] = defaultdict(dict)
    rows = IndicatorResult.objects.filter(
        period=period.code,
        breakdown="",
        is_current=True,
        indicator_code__in=wanted,
        subject_type__in=[SubjectType.CENTRE, SubjectType.PROVIDER],
    ).values_list(
        "subject_type",
        "subject_key",
        "indicator_code",
        # RatedFigure's fields, in its order
        "value",
        "ci_low",
        "ci_high",
        "status",
        "n",
        "numerator",
        "denominator",
        "definition__version",
        "extra",
    )
    for subject_type, key, code, *figure in rows.iterator(chunk_size=10_000):
        results[(subject_type, key)][code] = RatedFigure(*figure)
    return results


def _component(
    code: str, weight: float, result: RatedFigure | None, definition: IndicatorDefinition
) -> rating.Component:
    """One weighted indicator of a subject; a missing figure is a «no_data» component."""
    return rating.Component(
        indicator=code,
        weight=weight,
        value=result.value if result else None,
        low=result.ci_low if result else None,
        high=result.ci_high if result else None,
        unit=definition.unit,
        direction=definition.direction,
        status=result.status if result else "no_data",
        n=result.n if result else 0,
        numerator=result.numerator if result else None,
        denominator=result.denominator if result else None,
        definition_version=result.definition_version if result else definition.version,
        extra=result.extra if result else {},
    )


def _rank(entries: list[rating.Scored], *, seed: str) -> None:
    """Places, their intervals and the movers within one peer group."""
    rating.rank_group(entries)
    rating.rank_intervals(entries, seed=seed)
    ordered = sorted(round(e.score, 1) for e in entries if e.score is not None)
    for entry in entries:
        entry.movers = rating.rank_movers(entry, entries, ordered)


def _rating_row(
    methodology: MethodologyVersion,
    period: Period,
    subject_type: str,
    entry: rating.Scored,
    *,
    revision: int,
    now: dt.datetime,
) -> RatingResult:
    return RatingResult(
        methodology=methodology,
        subject_type=subject_type,
        subject_key=entry.subject_key,
        period=period.code,
        revision=revision,
        is_current=True,
        computed_at=now,
        peer_group=entry.peer_group,
        score=entry.score,
        score_low=entry.low,
        score_high=entry.high,
        rank=entry.rank,
        rank_of=entry.rank_of,
        rank_low=entry.rank_low,
        rank_high=entry.rank_high,
        movers=entry.movers,
        movement=entry.movement,
        status=entry.status,
        components=entry.components,
    )


def _same_rating(existing: RatingResult, entry: rating.Scored) -> bool:
    stored = (
        existing.peer_group,
        existing.score,
        existing.score_low,
        existing.score_high,
        existing.rank,
        existing.rank_of,
        existing.rank_low,
        existing.rank_high,
        existing.movers,
        existing.movement,
        existing.status,
        existing.components,
    )
    fresh = (
        entry.peer_group,
        entry.score,
        entry.low,
        entry.high,
        entry.rank,
        entry.rank_of,
        entry.rank_low,
        entry.rank_high,
        json.loads(json.dumps(entry.movers)),
        entry.movement,
        entry.status,
        json.loads(json.dumps(entry.components)),  # as the JSON column gives it back
    )
    return stored == fresh


def _previous_places(period: Period) -> dict[tuple[str, str], tuple[int | None, str]]:
    """(subject type, key) -> (rank, peer group) in the period before `period`."""
    return {
        (subject_type, key): (rank, group)
        for subject_type, key, rank, group in RatingResult.objects.filter(
            period=period.previous().code, is_current=True
        ).values_list("subject_type", "subject_key", "rank", "peer_group")
    }


def _movement(rank: int | None, group: str, previous: tuple[int | None, str] | None) -> int | None:
    """Places gained since the previous period, only within the same peer group."""
    if previous is None or previous[1] != group:
        return None
    return rating.movement(rank, previous[0])


def _movement_fill(period: Period) -> None:
    """A later period computed first (backfill, demo) has no movement yet: fill it in once the
    period before it is ranked. A movement already shown is never changed."""
    later = list(
        RatingResult.objects.filter(
            period=period.code, is_current=True, movement__isnull=True, rank__isnull=False
        ).only("pk", "subject_type", "subject_key", "rank", "peer_group", "movement")
    )
    if not later:
        return
    previous = _previous_places(period)
    changed = []
    for entry in later:
        entry.movement = _movement(
            entry.rank, entry.peer_group, previous.get((entry.subject_type, entry.subject_key))
        )
        if entry.movement is not None:
            changed.append(entry)
    RatingResult.objects.bulk_update(changed, ["movement"], batch_size=2000)


def _rated_subjects():
    """(subject type, key, peer group) of every active main centre and territorial provider."""
    from yakist.registry.enums import Status
    from yakist.registry.models.reference import Centre, Organisation

    for code, population in Centre.objects.filter(
        kind=Centre.Kind.CENTRE, status=Status.ACTIVE
    ).values_list("code", "population_served"):
        yield SubjectType.CENTRE, code, rating.centre_peer_group(population)
    for code, parent_code in Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER, parent__isnull=False, status=Status.ACTIVE
    ).values_list("code", "parent__code"):
        yield SubjectType.PROVIDER, code, f"provider-{parent_code}"
