"""Reading the methodology and its results. Results of monitored subjects are aggregates
(no personal data); staff views still pass them through the viewer's scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Max, Q, QuerySet

from yakist.accounts.scope import Scope
from yakist.indicators.models import (
    IndicatorDefinition,
    IndicatorResult,
    MethodologyVersion,
    RatingResult,
)

# The figures of one result row, in the order every reader spells them (the engine's store,
# the portal's snapshots, open data).
FIGURE_FIELDS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high", "extra", "status")
# What publication reads of each current result: who, which breakdown, the figures, and the
# definition and methodology they were computed with.
PUBLISHED_RESULT_FIELDS = (
    "indicator_code",
    "subject_type",
    "subject_key",
    "breakdown",
    *FIGURE_FIELDS,
    "revision",
    "definition__version",
    "definition__methodology__code",
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
    *, indicator_code: str, subject_type: str, subject_key: str = "", like: str | None = None
) -> list[IndicatorResult]:
    """The indicator over time for one subject, oldest first; with `like`, only periods of the
    same kind (quarters for a quarter, years for a year), since a year is not comparable with
    its own quarters."""
    results = current_results(
        subject_type=subject_type, subject_key=subject_key, indicator_code=indicator_code
    ).order_by("period")
    if like is None:
        return list(results)
    return [r for r in results if len(r.period) == len(like)]


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


def rating_of(
    *, subject_type: str, subject_key: str, period: str, revision: int | None = None
) -> RatingResult | None:
    """The current rating of a subject, or one of its earlier revisions (kept as published)."""
    queryset = RatingResult.objects.filter(
        subject_type=subject_type, subject_key=subject_key, period=period
    ).select_related("methodology")
    if revision is None:
        return queryset.filter(is_current=True).first()
    return queryset.filter(revision=revision).first()


def rating_revisions(*, subject_type: str, subject_key: str, period: str) -> list[RatingResult]:
    """Every revision of a subject's rating for a period, newest first, with its methodology."""
    return list(
        RatingResult.objects.filter(
            subject_type=subject_type, subject_key=subject_key, period=period
        )
        .select_related("methodology")
        .order_by("-revision")
    )


def ratings(
    *, subject_type: str, period: str, peer_group: str | None = None
) -> QuerySet[RatingResult]:
    queryset = RatingResult.objects.filter(
        subject_type=subject_type, period=period, is_current=True
    )
    if peer_group is not None:
        queryset = queryset.filter(peer_group=peer_group)
    # Unranked ("insufficient data") last on every database: SQLite sorts NULL first.
    return queryset.order_by("peer_group", F("rank").asc(nulls_last=True), "subject_key")


def centre_keys_for(viewer: Scope) -> QuerySet:
    """Codes of main centres a staff viewer may analyse."""
    from yakist.registry.selectors import centres_for

    return centres_for(viewer, kind="centre").values_list("code", flat=True)


def provider_keys_for(viewer: Scope) -> QuerySet:
    """Codes of providers a staff viewer may analyse: national roles all, a coordinator its
    oblast's, a provider's officer its own; nobody else any."""
    from yakist.registry.models.reference import Organisation

    providers = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER)
    return viewer.restrict(providers, provider="", region="region").values_list("code", flat=True)


def periods_with_results() -> list[str]:
    """Periods that have current results, newest first (quarters and years)."""
    codes = set(
        IndicatorResult.objects.filter(is_current=True, subject_type="nation")
        .values_list("period", flat=True)
        .distinct()
    )
    return sorted(codes, key=lambda code: (code[:4], code[4:] or "Q9"), reverse=True)


def definition_for(indicator_code: str, period: str) -> IndicatorDefinition | None:
    """The definition that computed the current national figure of a period."""
    result = (
        IndicatorResult.objects.filter(
            indicator_code=indicator_code, period=period, subject_type="nation", is_current=True
        )
        .select_related("definition", "definition__methodology")
        .first()
    )
    if result is not None:
        return result.definition
    return (
        IndicatorDefinition.objects.filter(code=indicator_code)
        .order_by("-methodology__effective_from")
        .first()
    )


def results_by_key(
    *, indicator_code: str, subject_type: str, period: str, keys=None, breakdown: str = ""
) -> dict[str, IndicatorResult]:
    queryset = IndicatorResult.objects.filter(
        indicator_code=indicator_code,
        subject_type=subject_type,
        period=period,
        breakdown=breakdown,
        is_current=True,
    ).select_related("definition")
    if keys is not None:
        queryset = queryset.filter(subject_key__in=keys)
    return {r.subject_key: r for r in queryset}


def histogram(values: list[float], *, low: float, high: float, bins: int = 10) -> list[dict]:
    """Counts of values in equal bins between low and high (for the peers' distribution)."""
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        index = min(bins - 1, max(0, int((value - low) / width))) if width else 0
        counts[index] += 1
    peak = max(counts) or 1
    return [
        {"from": low + i * width, "to": low + (i + 1) * width, "count": c, "width": 100 * c / peak}
        for i, c in enumerate(counts)
    ]


# --- Published reads: a whole period for many subjects at once (the portal publishes sets) ---


def _current_of_period(model, *, period: str, types: list[str], keys: list[str] | None):
    queryset = model.objects.filter(period=period, subject_type__in=types, is_current=True)
    return queryset if keys is None else queryset.filter(subject_key__in=keys)


def period_results(*, period: str, types: list[str], keys: list[str] | None) -> list[dict]:
    """Current results of a period for many subjects at once (every breakdown)."""
    queryset = _current_of_period(IndicatorResult, period=period, types=types, keys=keys)
    return list(queryset.values(*PUBLISHED_RESULT_FIELDS))


def results_computed_at(*, period: str, types: list[str], keys: list[str] | None) -> dict:
    """{(type, key): latest computation time} of the period's current results."""
    queryset = _current_of_period(IndicatorResult, period=period, types=types, keys=keys)
    rows = (
        queryset.filter(breakdown="")
        .values("subject_type", "subject_key")
        .annotate(latest=Max("computed_at"))
    )
    return {(r["subject_type"], r["subject_key"]): r["latest"] for r in rows.order_by()}


def period_ratings(*, period: str, types: list[str], keys: list[str] | None) -> list[RatingResult]:
    """Current ratings of a period for many subjects at once."""
    queryset = _current_of_period(RatingResult, period=period, types=types, keys=keys)
    return list(queryset.select_related("methodology"))


def results_exist(period: str) -> bool:
    return IndicatorResult.objects.filter(period=period, is_current=True).exists()
