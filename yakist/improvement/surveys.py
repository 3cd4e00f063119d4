"""The report of one external survey: its own figures by region with intervals, next to the
system's own ratings (QR, SMS, web) of the same regions and dates. Cells under the small-cell
limit are hidden, as in every publication."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from yakist.accounts.scope import Scope
from yakist.core.periods import kyiv_midnight
from yakist.feedback.selectors import survey_responses_for
from yakist.improvement import rules
from yakist.indicators.stats import loyalty_index, loyalty_interval, wilson_interval

INTERNAL = Scope(role=None, superuser=True)

COUNTS = {
    "answered": Count("pk", filter=Q(overall__isnull=False)),
    "good": Count("pk", filter=Q(overall__gte=3)),
    "scored": Count("pk", filter=Q(score__isnull=False)),
    "promoters": Count("pk", filter=Q(score__gte=9)),
    "detractors": Count("pk", filter=Q(score__lte=6)),
    "total": Count("pk"),
}


@dataclass
class Figures:
    n: int
    satisfaction: float | None = None
    satisfaction_low: float | None = None
    satisfaction_high: float | None = None
    loyalty: float | None = None
    loyalty_low: float | None = None
    loyalty_high: float | None = None
    suppressed: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _figures(counts: dict) -> Figures:
    limit = int(rules.external()["min_cell"])
    figures = Figures(n=counts["total"])
    if 0 < counts["total"] < limit:
        figures.suppressed, figures.n = True, None
        return figures
    if counts["answered"]:
        figures.satisfaction = counts["good"] / counts["answered"]
        figures.satisfaction_low, figures.satisfaction_high = wilson_interval(
            counts["good"], counts["answered"]
        ) or (None, None)
    if counts["scored"]:
        p, d, n = counts["promoters"], counts["detractors"], counts["scored"]
        figures.loyalty = loyalty_index(p, d, n)
        figures.loyalty_low, figures.loyalty_high = loyalty_interval(p, d, n) or (None, None)
    return figures


def _by_region(queryset) -> dict[str, dict]:
    return {
        row["region_id"]: row
        for row in queryset.values("region_id").annotate(**COUNTS).order_by("region_id")
    }


def _total(rows: dict[str, dict]) -> dict:
    return {name: sum(row[name] for row in rows.values()) for name in COUNTS}


def survey_report(survey) -> dict:
    """Method, period, who conducted it, the sample by region, the results with intervals,
    and the system's own ratings over the same regions and dates."""
    from yakist.registry.models.reference import Territory

    external = _by_region(survey_responses_for(INTERNAL).filter(survey=survey, source="external"))
    start = kyiv_midnight(survey.period_start)
    end = kyiv_midnight(survey.period_end + dt.timedelta(days=1))
    own = _by_region(
        survey_responses_for(INTERNAL)
        .exclude(source="external")
        .filter(submitted_at__gte=start, submitted_at__lt=end, region_id__in=list(external))
    )
    names = dict(Territory.objects.filter(code__in=list(external)).values_list("code", "name"))
    empty = dict.fromkeys(COUNTS, 0)
    regions = [
        {
            "region": code,
            "name": names.get(code, code),
            "external": _figures(counts).as_dict(),
            "own": _figures(own.get(code, empty)).as_dict(),
        }
        for code, counts in sorted(external.items(), key=lambda item: names.get(item[0], item[0]))
    ]
    return {
        "survey": {
            "id": survey.pk,
            "name": survey.name,
            "method": survey.method,
            "conducted_by": survey.conducted_by,
            "period_start": survey.period_start.isoformat(),
            "period_end": survey.period_end.isoformat(),
        },
        "external": _figures(_total(external)).as_dict(),
        "own": _figures(_total(own)).as_dict(),
        "regions": regions,
        "rule": rules.external()["default"],
    }
