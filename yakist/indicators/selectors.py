"""Reading the methodology and its results. Results of monitored subjects are aggregates
(no personal data); staff views still pass them through the viewer's scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from yakist.accounts.scope import Scope
from yakist.indicators.models import (
    IndicatorDefinition,
    IndicatorResult,
    MethodologyVersion,
    RatingResult,
)


def methodology_at(day: dt.date) -> MethodologyVersion | None:
    """The methodology version in force on `day`."""
    return (
        MethodologyVersion.objects.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
        .first()
    )


def definitions_in_force(day: dt.date) -> QuerySet[IndicatorDefinition]:
    methodology = methodology_at(day)
    if methodology is None:
        return IndicatorDefinition.objects.none()
    return methodology.definitions.select_related("methodology").order_by("code")


def current_results(
    *,
    subject_type: str,
    subject_key: str = "",
    period: str | None = None,
    indicator_code: str | None = None,
    breakdown: str | None = "",
) -> QuerySet[IndicatorResult]:
    """Current revisions for a subject; `breakdown=None` includes every slice."""
    queryset = IndicatorResult.objects.filter(
        subject_type=subject_type, subject_key=subject_key, is_current=True
    )
    if period is not None:
        queryset = queryset.filter(period=period)
    if indicator_code is not None:
        queryset = queryset.filter(indicator_code=indicator_code)
    if breakdown is not None:
        queryset = queryset.filter(breakdown=breakdown)
    return queryset.select_related("definition", "definition__methodology")


def result_series(
    *, indicator_code: str, subject_type: str, subject_key: str = ""
) -> list[IndicatorResult]:
    """The indicator over time for one subject (quarters and years), oldest first."""
    return list(
        current_results(
            subject_type=subject_type, subject_key=subject_key, indicator_code=indicator_code
        ).order_by("period")
    )


def peer_results(
    *, indicator_code: str, subject_type: str, period: str, keys: list[str] | None = None
) -> QuerySet[IndicatorResult]:
    """Everyone's value for one indicator and period: the distribution across peers."""
    queryset = IndicatorResult.objects.filter(
        indicator_code=indicator_code,
        subject_type=subject_type,
        period=period,
        breakdown="",
        is_current=True,
    )
    if keys is not None:
        queryset = queryset.filter(subject_key__in=keys)
    return queryset


def rating_of(*, subject_type: str, subject_key: str, period: str) -> RatingResult | None:
    return (
        RatingResult.objects.filter(
            subject_type=subject_type, subject_key=subject_key, period=period, is_current=True
        )
        .select_related("methodology")
        .first()
    )


def ratings(
    *, subject_type: str, period: str, peer_group: str | None = None
) -> QuerySet[RatingResult]:
    queryset = RatingResult.objects.filter(
        subject_type=subject_type, period=period, is_current=True
    )
    if peer_group is not None:
        queryset = queryset.filter(peer_group=peer_group)
    return queryset.order_by("peer_group", "rank", "subject_key")


def centre_keys_for(viewer: Scope) -> QuerySet:
    """Codes of main centres a staff viewer may analyse."""
    from yakist.registry.selectors import centres_for

    return centres_for(viewer, kind="centre").values_list("code", flat=True)
