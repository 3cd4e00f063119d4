"""Roll-ups for the ministry: accepted reports aggregated by each indicator's rule, per region
and nationally, next to the previous quarter. Only accepted values count; coverage is shown
next to every figure, because "not reported" is not zero."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from yakist.accounts.scope import Scope
from yakist.statmon import selectors
from yakist.statmon.catalogue import FormSpec, IndicatorSpec, form_spec
from yakist.statmon.models import Aggregation, Campaign


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    units: int

    def change(self, before: Cell | None) -> float | None:
        """Relative change in per cent against `before`; None when not comparable."""
        if before is None or before.value in (None, 0) or self.value is None:
            return None
        return round(100 * (self.value - before.value) / abs(before.value), 1)


@dataclass
class Area:
    code: str
    name: str
    cells: dict[str, Cell] = field(default_factory=dict)
    previous: dict[str, Cell] = field(default_factory=dict)
    completeness: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rollup:
    campaign: Campaign
    previous_period: str | None
    form: FormSpec
    indicators: list[IndicatorSpec]
    regions: list[Area]
    national: Area
    generated_at: dt.datetime


def aggregate(spec: IndicatorSpec, rows: list[dict[str, Any]]) -> Cell:
    """One indicator over the units (centres and access points) of an area."""
    present = [row[spec.code] for row in rows if row.get(spec.code) is not None]
    if not present:
        return Cell(None, 0)
    if spec.aggregation == Aggregation.SUM:
        total = sum(present)
        return Cell(total if spec.type == "integer" else round(total, spec.decimals), len(present))
    if spec.aggregation == Aggregation.SHARE:
        return Cell(
            round(100 * sum(1 for v in present if v is True) / len(present), 1), len(present)
        )
    if spec.weight:
        pairs = [
            (row[spec.code], row.get(spec.weight) or 0)
            for row in rows
            if row.get(spec.code) is not None
        ]
        weight = sum(w for _v, w in pairs)
        if weight > 0:
            return Cell(round(sum(v * w for v, w in pairs) / weight, 2), len(present))
    return Cell(round(sum(present) / len(present), 2), len(present))


def rollup_build(viewer: Scope, campaign: Campaign, *, today: dt.date | None = None) -> Rollup:
    form = form_spec(campaign.form)
    indicators = [s for s in form.indicators.values() if s.aggregation != Aggregation.NONE]
    previous = selectors.campaign_previous(campaign)
    now_rows = _rows(viewer, campaign.period)
    before_rows = _rows(viewer, previous.period) if previous else {}
    completeness = {
        row["region"]: row
        for row in selectors.completeness_by_region(viewer, campaign, today=today)
    }
    regions = []
    for code, info in completeness.items():
        area = Area(code=code, name=info["region_name"], completeness=info)
        for spec in indicators:
            area.cells[spec.code] = aggregate(spec, now_rows.get(code, []))
            area.previous[spec.code] = aggregate(spec, before_rows.get(code, []))
        regions.append(area)
    everything = [row for rows in now_rows.values() for row in rows]
    everything_before = [row for rows in before_rows.values() for row in rows]
    national = Area(code="UA", name="Україна", completeness=_total_completeness(completeness))
    for spec in indicators:
        national.cells[spec.code] = aggregate(spec, everything)
        national.previous[spec.code] = aggregate(spec, everything_before)
    return Rollup(
        campaign=campaign,
        previous_period=previous.period if previous else None,
        form=form,
        indicators=indicators,
        regions=regions,
        national=national,
        generated_at=dt.datetime.now(dt.UTC),
    )


def _rows(viewer: Scope, period: str) -> dict[str, list[dict[str, Any]]]:
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in selectors.accepted_values(viewer, period=period):
        by_region[row["region"]].append(row["values"])
    return by_region


def _total_completeness(by_region: dict[str, dict[str, Any]]) -> dict[str, Any]:
    keys = ("expected", "not_started", "draft", "submitted", "returned", "accepted", "overdue")
    total = {key: sum(row[key] for row in by_region.values()) for key in keys}
    total["share"] = (
        round(100 * total["accepted"] / total["expected"], 1) if total["expected"] else 0.0
    )
    return total


def centre_values(
    viewer: Scope, campaign: Campaign, *, region: str, code: str
) -> list[dict[str, Any]]:
    """Drill-down: every expected report of a region with its accepted value of one indicator
    and the previous quarter's, so a regional figure can be traced to its centres."""
    previous = selectors.campaign_previous(campaign)
    before = {}
    if previous:
        before = {
            row["centre_id"]: row["values"].get(code)
            for row in selectors.accepted_values(viewer, period=previous.period, codes=[code])
        }
    today = selectors.today_kyiv()
    result = []
    reports = selectors.reports_for(viewer, period=campaign.period, region=region)
    for report in reports.select_related("accepted_version").order_by("centre__code"):
        accepted = None
        if report.accepted_version_id:
            accepted = report.accepted_version.values.get(code)
        result.append(
            {
                "report": report,
                "status": selectors.status_view(report.status, campaign.deadline, today),
                "value": accepted,
                "previous": before.get(report.centre_id),
            }
        )
    return result
