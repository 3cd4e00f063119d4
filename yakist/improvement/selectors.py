"""Reading problems, measures, practices and survey reports; staff reads take the viewer's
scope, public reads return only what is public (measures, practices, published reports)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Q, QuerySet

from yakist.accounts.scope import Scope
from yakist.core.periods import Period
from yakist.improvement.models import Measure, Practice, Problem, SurveyReport


def _restrict(viewer: Scope, queryset: QuerySet) -> QuerySet:
    return viewer.restrict(queryset, centre="centre", region="region", provider="organisation")


def problems_for(
    viewer: Scope, *, status: str | None = None, kind: str | None = None, region: str | None = None
) -> QuerySet[Problem]:
    queryset = _restrict(viewer, Problem.objects.select_related("region"))
    if status == "open":
        queryset = queryset.filter(status__in=Problem.OPEN)
    elif status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if region:
        queryset = queryset.filter(region_id=region)
    return queryset


def problem_get_for(viewer: Scope, pk: int) -> Problem | None:
    return problems_for(viewer).filter(pk=pk).first()


def problems_grouped(viewer: Scope) -> dict:
    """Open and all problems by kind × region: the ministry's (and an oblast's) overview."""
    rows = problems_for(viewer).values_list("kind", "region_id", "region__name", "status")
    regions: dict[str, str] = {}
    total: Counter = Counter()
    open_: Counter = Counter()
    for kind, region, name, status in rows:
        regions[region or ""] = name or "—"
        total[(kind, region or "")] += 1
        if status in Problem.OPEN:
            open_[(kind, region or "")] += 1
    kinds = [k for k in Problem.Kind if any(key[0] == k for key in total)]
    return {
        "kinds": kinds,
        "rows": [
            {
                "region": code,
                "name": regions[code],
                "cells": [(open_[(k.value, code)], total[(k.value, code)]) for k in kinds],
            }
            for code in sorted(regions, key=lambda c: regions[c])
        ],
    }


def measures_for(viewer: Scope, *, problem: Problem | None = None) -> QuerySet[Measure]:
    queryset = _restrict(viewer, Measure.objects.select_related("problem"))
    if problem is not None:
        queryset = queryset.filter(problem=problem)
    return queryset


def measure_get_for(viewer: Scope, pk: int) -> Measure | None:
    return measures_for(viewer).filter(pk=pk).first()


# --- Public reads: measures are published with the results (draft publication procedure) ---


def measure_public(pk: int) -> Measure | None:
    return Measure.objects.select_related("problem", "region").filter(pk=pk).first()


def measures_public() -> QuerySet[Measure]:
    return Measure.objects.select_related("problem", "region").order_by("-started_on", "id")


def measures_of_period(period: Period, refs: set[tuple[str, str]] | None = None) -> dict:
    """{(subject type, key): [measure, …]} of measures whose dates meet the period."""
    queryset = (
        measures_public()
        .filter(started_on__lte=period.last_day)
        .filter(
            Q(completed_on__gte=period.first_day)
            | Q(completed_on__isnull=True, started_on__gte=period.first_day)
        )
    )
    found: dict[tuple[str, str], list[Measure]] = {}
    for measure in queryset.order_by("started_on", "id"):
        ref = (measure.subject_type, measure.subject_key)
        if refs is None or ref in refs:
            found.setdefault(ref, []).append(measure)
    return found


def practices_public(*, topic: str | None = None, region: str | None = None) -> QuerySet[Practice]:
    queryset = Practice.objects.select_related("problem", "problem__region", "measure")
    if topic:
        queryset = queryset.filter(topic=topic)
    if region:
        queryset = queryset.filter(problem__region_id=region)
    return queryset.order_by("topic", "problem__region__name", "-marked_at")


def practice_topics() -> list[str]:
    return list(Practice.objects.values_list("topic", flat=True).distinct().order_by("topic"))


def survey_reports_public() -> QuerySet[SurveyReport]:
    return SurveyReport.objects.select_related("survey").order_by("-survey__period_end")


def survey_report_public(pk: int) -> SurveyReport | None:
    return survey_reports_public().filter(pk=pk).first()
