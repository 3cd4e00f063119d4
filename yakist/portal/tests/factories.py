"""Indicator results and ratings shaped as the methodology engine produces them, under the
shipped methodology: the portal's inputs, made here (seeded) so that tests control every figure."""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from yakist.core.periods import Period
from yakist.indicators.methodology import methodology_load
from yakist.indicators.models import (
    IndicatorDefinition,
    IndicatorResult,
    MethodologyVersion,
    RatingResult,
)


def methodology() -> MethodologyVersion:
    """The shipped methodology: the portal publishes what the real definitions describe."""
    return methodology_load(
        path=Path(settings.BASE_DIR) / "data" / "methodology" / "2025.1.toml"
    ).methodology


def definitions() -> dict[str, IndicatorDefinition]:
    return {d.code: d for d in methodology().definitions.all()}


def _value(rng: random.Random, code: str, unit: str) -> float:
    if unit == "index":
        return round(rng.uniform(20, 80), 1)
    if code == "refusal_share":
        return round(rng.uniform(0.01, 0.12), 4)
    return round(rng.uniform(0.55, 0.99), 4)


def results(
    *,
    period: Period,
    subjects: Iterable[tuple[str, str]],
    seed: int = 1,
    skip: Iterable[str] = (),
    breakdowns: bool = True,
) -> list[IndicatorResult]:
    """Current results of every applicable indicator for each (type, key) in the period.

    The period's results from the test world's engine run are removed first: the factory's
    rows are this test's inputs, and nothing else is.
    """
    IndicatorResult.objects.filter(period=period.code).delete()
    defs = definitions()
    periodicity = "quarterly" if period.is_quarter else "yearly"
    rng = random.Random(f"{seed}:{period.code}")
    now = timezone.now()
    rows = []
    for subject_type, key in subjects:
        for code, definition in defs.items():
            if code in skip or definition.periodicity != periodicity:
                continue
            if subject_type not in definition.subjects:
                continue
            n = rng.randint(40, 900)
            value = _value(rng, code, definition.unit)
            extra = {}
            if code == "satisfaction":
                extra = {"levels": {"1": n // 20, "2": n // 10, "3": n // 3}, "mean": 3.4}
            if code == "timeliness":
                extra = {"median_days": 3, "p90_days": 9}
            rows.append(
                _row(definition, subject_type, key, period, value, n, "", extra=extra, now=now)
            )
            if breakdowns and code == "timeliness":
                rows.append(
                    _row(definition, subject_type, key, period, 0.9, 60, "channel:online", now=now)
                )
                # A rare service: three cases. Small cells must never be published.
                rows.append(
                    _row(definition, subject_type, key, period, 2 / 3, 3, "service:00030", now=now)
                )
    IndicatorResult.objects.bulk_create(rows, batch_size=2000)
    return rows


def _row(definition, subject_type, key, period, value, n, breakdown, *, extra=None, now=None):
    share = definition.unit == "share"
    return IndicatorResult(
        definition=definition,
        indicator_code=definition.code,
        subject_type=subject_type,
        subject_key=key,
        period=period.code,
        breakdown=breakdown,
        value=value,
        numerator=round(value * n) if share else None,
        denominator=n if share else None,
        n=n,
        ci_low=max(0.0, value - 0.03) if share else value - 5,
        ci_high=min(1.0, value + 0.03) if share else value + 5,
        extra=extra or {},
        status="ok",
        computed_at=now or timezone.now(),
    )


def coverage(
    *,
    period: Period,
    subject: tuple[str, str],
    value: float | None,
    n: int = 1,
    reason: str | None = None,
) -> IndicatorResult:
    """The engine's data coverage of one subject, which it computes for quarters and years
    alike: a share, or no data with the reason ("not_connected", "no_report")."""
    subject_type, key = subject
    definition = definitions()["coverage"]
    IndicatorResult.objects.filter(
        indicator_code="coverage", subject_type=subject_type, subject_key=key, period=period.code
    ).delete()
    row = _row(definition, subject_type, key, period, value or 0.0, n, "")
    row.extra = {"centres": 1, "connected": int(reason != "not_connected"), "with_report": 1}
    if value is None:
        row.value = row.numerator = row.ci_low = row.ci_high = None
        row.status, row.n = "no_data", 0
        row.extra.update({"reason": reason} if reason else {}, with_report=0)
    row.save()
    return row


def revise(*, indicator_code: str, subject_type: str, key: str, period: Period, value: float):
    """A newer revision of one figure (the engine recomputed it after a correction)."""
    old = IndicatorResult.objects.get(
        indicator_code=indicator_code,
        subject_type=subject_type,
        subject_key=key,
        period=period.code,
        breakdown="",
        is_current=True,
    )
    IndicatorResult.objects.filter(pk=old.pk).update(is_current=False)
    old.pk = None
    old.revision += 1
    old.value = value
    old.numerator = round(value * old.denominator) if old.denominator else None
    old.is_current = True
    old.computed_at = timezone.now()
    old.save()
    return old


def ratings(*, period: Period, keys: list[str], subject_type: str = "centre") -> None:
    """A rating per subject with its explanation (components, weights, counts)."""
    RatingResult.objects.filter(period=period.code, subject_type=subject_type).delete()
    version = methodology()
    rng = random.Random(f"rating:{period.code}")
    scores = sorted(((rng.uniform(40, 95), key) for key in keys), reverse=True)
    RatingResult.objects.bulk_create(
        [
            RatingResult(
                methodology=version,
                subject_type=subject_type,
                subject_key=key,
                period=period.code,
                peer_group="urban" if index % 2 else "rural",
                score=round(score, 1),
                score_low=round(score - 4, 1),
                score_high=round(score + 4, 1),
                rank=index + 1,
                rank_of=len(keys),
                movement=rng.randint(-3, 3),
                status="ok",
                components=[
                    {
                        "indicator": "timeliness",
                        "value": 0.9,
                        "normalised": 0.8,
                        "weight": 0.5,
                        "contribution": 40.0,
                        "n": 300,
                        "numerator": 270,
                        "denominator": 300,
                        "status": "ok",
                    },
                    {
                        "indicator": "satisfaction",
                        "value": 0.85,
                        "normalised": 0.7,
                        "weight": 0.5,
                        "contribution": 35.0,
                        "n": 120,
                        "numerator": 102,
                        "denominator": 120,
                        "status": "ok",
                    },
                ],
            )
            for index, (score, key) in enumerate(scores)
        ],
        batch_size=2000,
    )
