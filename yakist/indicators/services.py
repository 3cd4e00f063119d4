"""Computing a period: the entry points other apps call.

`indicators_compute` runs a period through the cube (yakist.indicators.inputs), the engine,
the results store (yakist.indicators.results_store) and the ratings
(yakist.indicators.period_ratings), then clears the dirty marks it covered;
`indicators_refresh` recomputes what the marks of yakist.indicators.dirty_marks ask for.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.core.periods import Period
from yakist.core.problems import Problem
from yakist.indicators import engine, inputs
from yakist.indicators.deltas import cube_lock
from yakist.indicators.dirty_marks import dirty_mark, dirty_mark_each
from yakist.indicators.enums import SubjectType
from yakist.indicators.models import DirtyPeriod, MethodologyVersion
from yakist.indicators.period_ratings import ratings_compute
from yakist.indicators.results_store import results_store
from yakist.indicators.selectors import methodology_at
from yakist.indicators.signals import results_refreshed

# Entry points of the other modules that other apps call through this one.
__all__ = [
    "ComputeReport",
    "NoMethodology",
    "dirty_mark",
    "dirty_mark_each",
    "indicators_compute",
    "indicators_refresh",
    "period_methodology",
    "ratings_compute",
]


class NoMethodology(Problem):
    slug = "no-methodology"
    status = 409
    title = gettext_lazy("Немає чинної методики")
    description = gettext_lazy("Для цього періоду не завантажено жодної версії методики.")


@dataclass
class ComputeReport:
    period: str
    methodology: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    ratings: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def period_methodology(
    period: Period, methodology: MethodologyVersion | None
) -> MethodologyVersion:
    """A period is computed under the methodology in force on its first day, unless asked."""
    found = methodology or methodology_at(period.first_day)
    if found is None:
        raise NoMethodology(_("Для періоду %(p)s немає чинної методики.") % {"p": period.code})
    return found


def indicators_compute(
    *,
    period: Period,
    methodology: MethodologyVersion | None = None,
    centre_ids: set[int] | None = None,
    provider_ids: set[int] | None = None,
) -> ComputeReport:
    """Compute every indicator of `period`; with centre/provider ids, only what they touch
    (the cube and histograms as the projection's deltas left them: yakist.indicators.deltas)."""
    methodology = period_methodology(period, methodology)
    report = ComputeReport(period=period.code, methodology=methodology.code)
    started = time.perf_counter()
    if centre_ids is None and provider_ids is None:
        # A full run recounts; between full runs the projection keeps both by deltas.
        with transaction.atomic():
            cube_lock()
            inputs.cube_rebuild(period)
            inputs.histograms_rebuild(period)
            inputs.service_slices_rebuild(period)
    report.seconds["cube"] = time.perf_counter() - started
    ctx = engine.Context(
        period=period,
        definitions={d.code: d for d in methodology.definitions.all()},
        centres=inputs.centres(),
        providers=inputs.providers(),
        dirty_centres=centre_ids,
        dirty_providers=provider_ids,
    )
    rows = engine.compute_rows(ctx)
    report.seconds["compute"] = time.perf_counter() - started - report.seconds["cube"]
    with transaction.atomic():
        results_store(ctx, rows, report)
        report.ratings = ratings_compute(period=period, methodology=methodology)
        _marks_clear(ctx)
    report.seconds["total"] = time.perf_counter() - started
    return report


def _marks_clear(ctx: engine.Context) -> None:
    """A full run covers whatever was marked for its period; an incremental one (from the
    refresh, or asked for directly) the marks of the subjects it recomputed."""
    marks = DirtyPeriod.objects.filter(period=ctx.period.code)
    if ctx.incremental:
        centres, providers = ctx.dirty_codes()
        marks = marks.filter(
            Q(subject_type=SubjectType.CENTRE, subject_key__in=centres)
            | Q(subject_type=SubjectType.PROVIDER, subject_key__in=providers)
        )
    marks.delete()


def indicators_refresh() -> list[ComputeReport]:
    """Recompute the (subject, period) pairs marked dirty, one incremental run per period."""
    from yakist.registry.models.reference import Centre, Organisation

    marks = list(DirtyPeriod.objects.all())
    by_period: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for mark in marks:
        by_period[mark.period][mark.subject_type].add(mark.subject_key)
    reports = []
    for code, subjects in sorted(by_period.items()):
        period = Period.parse(code)
        if methodology_at(period.first_day) is None:
            continue
        if subjects[SubjectType.NATION]:  # first figures of the period: compute it whole
            reports.append(indicators_compute(period=period))
            continue
        centre_ids = set(
            Centre.objects.filter(code__in=subjects["centre"]).values_list("pk", flat=True)
        )
        provider_ids = set(
            Organisation.objects.filter(code__in=subjects["provider"]).values_list("pk", flat=True)
        )
        reports.append(
            indicators_compute(period=period, centre_ids=centre_ids, provider_ids=provider_ids)
        )
    DirtyPeriod.objects.filter(pk__in=[m.pk for m in marks]).delete()
    if reports:
        results_refreshed.send(sender=indicators_refresh, periods=[r.period for r in reports])
    return reports
