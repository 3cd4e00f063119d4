"""Indicator results and ratings as the methodology engine will produce them: the portal's
inputs, made here (seeded) for tests, the benchmark and the demo until the engine lands."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.utils import timezone

from yakist.core.periods import Period
from yakist.indicators.models import (
    IndicatorDefinition,
    IndicatorResult,
    MethodologyVersion,
    RatingResult,
)

METHODOLOGY = "2026.1-test"
ALL_TYPES = ["centre", "provider", "hromada", "region", "nation"]
LEGAL = "Постанова КМУ № 864 від 11.08.2021, додаток (показники моніторингу)"

# code, name, name_en, unit, direction, periodicity, subject types
DEFINITIONS = [
    (
        "offline_compliance",
        "Відповідність офлайн фронт-офісу",
        "Offline front-office compliance",
        "share",
        "higher_better",
        "quarterly",
        ["centre", "hromada", "region", "nation"],
    ),
    (
        "online_compliance",
        "Відповідність онлайн фронт-офісу",
        "Online front-office compliance",
        "share",
        "higher_better",
        "yearly",
        ["centre", "hromada", "region", "nation"],
    ),
    (
        "satisfaction",
        "Задоволеність отримувачів послуг",
        "Applicants' satisfaction",
        "share",
        "higher_better",
        "yearly",
        ALL_TYPES,
    ),
    (
        "loyalty_index",
        "Індекс лояльності",
        "Loyalty index",
        "index",
        "higher_better",
        "yearly",
        ALL_TYPES,
    ),
    (
        "timeliness",
        "Дотримання строків надання послуг",
        "Timeliness",
        "share",
        "higher_better",
        "yearly",
        ALL_TYPES,
    ),
    (
        "refusal_share",
        "Частка відмов",
        "Share of refusals",
        "share",
        "lower_better",
        "yearly",
        ALL_TYPES,
    ),
    (
        "online_share",
        "Частка послуг, отриманих онлайн",
        "Online take-up",
        "share",
        "higher_better",
        "yearly",
        ALL_TYPES,
    ),
    ("coverage", "Повнота даних", "Data coverage", "share", "neutral", "yearly", ALL_TYPES),
]


def methodology() -> MethodologyVersion:
    version, created = MethodologyVersion.objects.get_or_create(
        code=METHODOLOGY,
        defaults={
            "title": "Методика оцінювання якості (тестова)",
            "adopted_by": "Наказ Мінцифри (тестові дані)",
            "effective_from": dt.date(2021, 1, 1),
            "content_hash": "0" * 64,
        },
    )
    if created:
        IndicatorDefinition.objects.bulk_create(
            [
                IndicatorDefinition(
                    methodology=version,
                    code=code,
                    version=1,
                    name=name,
                    name_en=name_en,
                    description=f"{name}: частка або індекс за формулою методики.",
                    description_en=f"{name_en} as defined by the methodology.",
                    formula="numerator / denominator",
                    inputs=["cases"],
                    unit=unit,
                    direction=direction,
                    periodicity=periodicity,
                    subjects=subjects,
                    min_sample=10,
                    legal_source=LEGAL,
                )
                for code, name, name_en, unit, direction, periodicity, subjects in DEFINITIONS
            ]
        )
    return version


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
    """Current results of every applicable indicator for each (type, key) in the period."""
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
