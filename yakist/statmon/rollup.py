"""Roll-ups for the ministry: accepted reports aggregated by each indicator's rule, per region
and nationally, next to the previous quarter. Only accepted values count; coverage is shown
next to every figure, because "not reported" is not zero."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from yakist.accounts.scope import Scope
from yakist.statmon import selectors
from yakist.statmon.catalogue import form_spec
from yakist.statmon.models import Aggregation, Campaign
from yakist.statmon.specs import FormSpec, IndicatorSpec


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
    is_national: bool = True  # False: the viewer's zone only, the total is not the country's


def _cell(spec: IndicatorSpec, values: list, weights: list | None = None) -> Cell:
    """Apply the indicator's rule to the values reported in an area (missing ones excluded)."""
    if not values:
        return Cell(None, 0)
    if spec.aggregation == Aggregation.SUM:
        total = sum(values)
        return Cell(total if spec.type == "integer" else round(total, spec.decimals), len(values))
    if spec.aggregation == Aggregation.SHARE:
        return Cell(round(100 * values.count(True) / len(values), 1), len(values))
    if weights and sum(weights) > 0:
        weighted = sum(v * w for v, w in zip(values, weights, strict=True))
        return Cell(round(weighted / sum(weights), 2), len(values))
    return Cell(round(sum(values) / len(values), 2), len(values))


def aggregate(spec: IndicatorSpec, rows: list[dict[str, Any]]) -> Cell:
    """One indicator over the units (centres and access points) of an area."""
    present = [row for row in rows if row.get(spec.code) is not None]
    weights = [row.get(spec.weight) or 0 for row in present] if spec.weight else None
    return _cell(spec, [row[spec.code] for row in present], weights)


def _aggregate_all(
    indicators: list[IndicatorSpec], rows_by_region: dict[str, list[dict[str, Any]]]
) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell]]:
    """Every indicator for every region and the whole country, in one pass over the rows;
    the sums themselves run in C (builtin sum over lists)."""
    specs = {spec.code: spec for spec in indicators}
    weighted = {code: spec.weight for code, spec in specs.items() if spec.weight}
    collected: dict[str, dict[str, list]] = {}
    weights: dict[str, dict[str, list]] = {}
    for region, rows in rows_by_region.items():
        values = collected.setdefault(region, {code: [] for code in specs})
        region_weights = weights.setdefault(region, {code: [] for code in weighted})
        for row in rows:
            for code, value in row.items():
                if value is not None and code in values:
                    values[code].append(value)
                    if code in weighted:
                        region_weights[code].append(row.get(weighted[code]) or 0)
    regional = {
        region: {
            code: _cell(specs[code], values[code], weights[region].get(code)) for code in specs
        }
        for region, values in collected.items()
    }
    national = {
        code: _cell(
            specs[code],
            [v for region in collected for v in collected[region][code]],
            [w for region in weights for w in weights[region][code]] if code in weighted else None,
        )
        for code in specs
    }
    return regional, national


def rollup_build(viewer: Scope, campaign: Campaign, *, today: dt.date | None = None) -> Rollup:
    form = form_spec(campaign.form)
    indicators = [s for s in form.indicators.values() if s.aggregation != Aggregation.NONE]
    previous = selectors.campaign_previous(campaign)
    now_regions, now_national = _aggregate_all(indicators, _rows(viewer, campaign.period))
    before_regions, before_national = (
        _aggregate_all(indicators, _rows(viewer, previous.period)) if previous else ({}, {})
    )
    completeness = {
        row["region"]: row
        for row in selectors.completeness_by_region(viewer, campaign, today=today)
    }
    empty = Cell(None, 0)
    regions = []
    for code, info in completeness.items():
        area = Area(code=code, name=info["region_name"], completeness=info)
        for spec in indicators:
            area.cells[spec.code] = now_regions.get(code, {}).get(spec.code, empty)
            area.previous[spec.code] = before_regions.get(code, {}).get(spec.code, empty)
        regions.append(area)
    national = Area(
        code="UA",
        name=_total_name(viewer, regions),
        completeness=completeness_total(completeness.values()),
    )
    for spec in indicators:
        national.cells[spec.code] = now_national.get(spec.code, empty)
        national.previous[spec.code] = before_national.get(spec.code, empty)
    return Rollup(
        campaign=campaign,
        previous_period=previous.period if previous else None,
        form=form,
        indicators=indicators,
        regions=regions,
        national=national,
        generated_at=dt.datetime.now(dt.UTC),
        is_national=viewer.is_national,
    )


def _rows(viewer: Scope, period: str) -> dict[str, list[dict[str, Any]]]:
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in selectors.accepted_values(viewer, period=period):
        by_region[row["region"]].append(row["values"])
    return by_region


def _total_name(viewer: Scope, regions: list[Area]) -> str:
    """The country for national staff; for a regional viewer the total is only its own zone."""
    if viewer.is_national:
        return gettext("Україна")
    if len(regions) == 1:
        return regions[0].name
    return gettext("Разом у вашій зоні")


def completeness_total(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The regions' completeness rows added up, with the share of accepted reports."""
    rows = list(rows)
    keys = ("expected", "not_started", "draft", "submitted", "returned", "accepted", "overdue")
    total = {key: sum(row[key] for row in rows) for key in keys}
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
