"""Dirty marks: what new inputs touched, so the refresh (yakist.indicators.services.
indicators_refresh) recomputes only those subjects and periods; and the period codes an
instant or a quarter falls in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models.functions import Coalesce

from yakist.core.periods import Period
from yakist.indicators.enums import SubjectType
from yakist.indicators.models import DirtyPeriod, IndicatorDefinition, IndicatorResult

# The whole country's subject key (as in results); a mark for it asks for a full computation.
NATION_KEY = ""


def dirty_mark(*, period_codes: set[str], centre_ids: set[int], provider_ids: set[int]) -> int:
    """Remember what new inputs touched: every centre and provider in every period given."""
    return dirty_mark_each(
        centres={(pk, code) for pk in centre_ids for code in period_codes},
        providers={(pk, code) for pk in provider_ids for code in period_codes},
    )


def dirty_mark_each(
    *, centres: Iterable[tuple[int, str]] = (), providers: Iterable[tuple[int, str]] = ()
) -> int:
    """Mark exactly the (centre id, period code) and (provider id, period code) pairs given, in
    a few set-based statements whatever their number; `indicators_refresh` recomputes them
    (and their hromadas, regions and the nation). An access point counts with its main centre.
    A period never computed gets one mark for the whole country instead: its first
    computation (a full one, by the refresh) reads every input, e.g. a new quarter's first
    events. Returns how many marks were added."""
    from yakist.registry.models.reference import Centre, Organisation

    centre_pairs, provider_pairs = set(centres), set(providers)
    touched = {code for _, code in centre_pairs | provider_pairs}
    computed = computed_periods(touched)
    first_time = [
        DirtyPeriod(subject_type=SubjectType.NATION, subject_key=NATION_KEY, period=code)
        for code in sorted(touched - computed)
    ]
    if not computed:
        DirtyPeriod.objects.bulk_create(first_time, ignore_conflicts=True)
        return len(first_time)
    centre_pairs = {(pk, code) for pk, code in centre_pairs if code in computed}
    provider_pairs = {(pk, code) for pk, code in provider_pairs if code in computed}
    # The main centre's code: an access point's inputs count in its main centre's figures.
    centre_codes = dict(
        Centre.objects.filter(pk__in={pk for pk, _ in centre_pairs}).values_list(
            "pk", Coalesce("parent__code", "code")
        )
    )
    provider_codes = dict(
        Organisation.objects.filter(pk__in={pk for pk, _ in provider_pairs}).values_list(
            "pk", "code"
        )
    )
    wanted = {
        (SubjectType.CENTRE.value, centre_codes[pk], code)
        for pk, code in centre_pairs
        if pk in centre_codes
    } | {
        (SubjectType.PROVIDER.value, provider_codes[pk], code)
        for pk, code in provider_pairs
        if pk in provider_codes
    }
    # Most marks of a busy period exist already: insert only the new ones.
    existing = set(
        DirtyPeriod.objects.filter(period__in=computed).values_list(
            "subject_type", "subject_key", "period"
        )
    )
    added = wanted - existing
    DirtyPeriod.objects.bulk_create(
        [DirtyPeriod(subject_type=t, subject_key=k, period=p) for t, k, p in added] + first_time,
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(added) + len(first_time)


def computed_periods(codes: set[str]) -> set[str]:
    """The periods among `codes` that have figures (an index lookup per period)."""
    if not codes:
        return set()
    indicators = list(IndicatorDefinition.objects.values_list("code", flat=True).distinct())
    return {
        code
        for code in codes
        if IndicatorResult.objects.filter(indicator_code__in=indicators, period=code).exists()
    }


def periods_touched(moments: Iterable[dt.datetime]) -> set[str]:
    """The quarter and year codes that instants fall in (for dirty marks)."""
    return {code for moment in moments for code in periods_of(moment)}


def periods_of(moment: dt.datetime) -> tuple[str, str]:
    """The codes of the Kyiv quarter and year an instant falls in."""
    quarter = Period.quarter_of(moment)
    return quarter.code, str(quarter.year)


def periods_of_quarter(code: str) -> tuple[str, str]:
    """A quarter's code and its year's."""
    return code, str(Period.parse(code).year)
